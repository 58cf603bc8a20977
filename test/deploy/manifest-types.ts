/**
 * The Kubernetes object types the deployment manifests may hold, keyed by `apiVersion/kind`.
 * Type-only: `kubernetes-schema.ts` reads these declarations with the TypeScript checker to find
 * fields that no Kubernetes type declares (kubernetes-models' own validation lets them through).
 */
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

export interface ManifestTypes {
  'v1/ConfigMap': IConfigMap;
  'v1/Secret': ISecret;
  'v1/Service': IService;
  'v1/Pod': IPod;
  'v1/ServiceAccount': IServiceAccount;
  'apps/v1/Deployment': IDeployment;
  'networking.k8s.io/v1/Ingress': IIngress;
  'networking.k8s.io/v1/NetworkPolicy': INetworkPolicy;
  'policy/v1/PodDisruptionBudget': IPodDisruptionBudget;
  'autoscaling/v2/HorizontalPodAutoscaler': IHorizontalPodAutoscaler;
  'monitoring.coreos.com/v1/ServiceMonitor': IServiceMonitor;
  'monitoring.coreos.com/v1/PrometheusRule': IPrometheusRule;
}
