// Validate the custom resources of rendered manifests (YAML on stdin) against the schemas
// published with their operators' models. Core kinds are kubernetes-validate's; a custom
// kind without a schema here is an error, so nothing goes unchecked.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { AnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import { Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const MODELS = {
  "argoproj.io/v1alpha1/Rollout": Rollout,
  "argoproj.io/v1alpha1/AnalysisTemplate": AnalysisTemplate,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};
// Groups served by Kubernetes itself (validated by kubernetes-validate).
const CORE = /^(v1|(apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io)\/v\d+)$/;

let failures = 0;
let checked = 0;
for (const document of parseAllDocuments(readFileSync(0, "utf8"))) {
  const object = document.toJS();
  if (!object) continue;
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${object.kind}/${object.metadata?.name}`;
  if (CORE.test(object.apiVersion)) continue;
  const Model = MODELS[key];
  if (!Model) {
    console.error(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
    failures += 1;
    continue;
  }
  try {
    new Model(object).validate();
    checked += 1;
    console.log(`${name}: valid`);
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    failures += 1;
  }
}
console.log(`${checked} custom resource(s) valid, ${failures} invalid`);
process.exit(failures ? 1 : 0);
