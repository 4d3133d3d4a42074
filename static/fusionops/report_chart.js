// A report's chart: the rows its list shows, as the server summed them.
import { drawChart } from "./charts.js";

drawChart(JSON.parse(document.getElementById("report-chart").textContent));
