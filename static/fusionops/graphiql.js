// GraphiQL against this portal: queries and mutations over HTTP with the session's CSRF
// token, subscriptions over the portal's GraphQL socket (graphql-transport-ws).
(function () {
  const config = JSON.parse(document.getElementById("graphiql-config").textContent);
  const root = document.getElementById("graphiql");
  const fetcher = GraphiQL.createFetcher({
    url: config.url,
    headers: { "X-CSRFToken": root.dataset.csrfToken },
    wsClient: graphqlWs.createClient({ url: config.subscriptionUrl }),
  });
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, { fetcher }));
})();
