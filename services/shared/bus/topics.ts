/** The Kafka topics of DESIGN.md "Names", and how each is created. */
export const TOPICS = {
  telemetry: 'runwatch.telemetry.v1',
  detections: 'runwatch.detections.v1',
  actions: 'runwatch.actions.v1',
  containment: 'runwatch.containment.v1',
  deadletter: 'runwatch.deadletter.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  name: TopicName;
  /** Compacted topics keep the latest record per key (containment state), not a time window. */
  compacted: boolean;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: TOPICS.telemetry, compacted: false },
  { name: TOPICS.detections, compacted: false },
  { name: TOPICS.actions, compacted: false },
  { name: TOPICS.containment, compacted: true },
  { name: TOPICS.deadletter, compacted: false },
];
