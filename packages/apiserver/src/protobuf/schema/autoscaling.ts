// autoscaling/v1 messages (k8s.io/api/autoscaling/v1/generated.proto): HorizontalPodAutoscaler,
// which kubectl autoscale sends as protobuf.
import type { SchemaTable } from './types.js';

export const autoscaling: SchemaTable = {
  'autoscaling.HorizontalPodAutoscaler': {
    metadata: [1, 'meta.ObjectMeta'],
    spec: [2, 'autoscaling.HorizontalPodAutoscalerSpec'],
    status: [3, 'autoscaling.HorizontalPodAutoscalerStatus'],
  },
  'autoscaling.CrossVersionObjectReference': { kind: [1, 'string'], name: [2, 'string'], apiVersion: [3, 'string'] },
  'autoscaling.HorizontalPodAutoscalerSpec': {
    scaleTargetRef: [1, 'autoscaling.CrossVersionObjectReference'],
    minReplicas: [2, '*int32'],
    maxReplicas: [3, 'int32'],
    targetCPUUtilizationPercentage: [4, '*int32'],
  },
  'autoscaling.HorizontalPodAutoscalerStatus': {
    observedGeneration: [1, '*int64'],
    lastScaleTime: [2, 'Time'],
    currentReplicas: [3, 'int32'],
    desiredReplicas: [4, 'int32'],
    currentCPUUtilizationPercentage: [5, '*int32'],
  },
};
