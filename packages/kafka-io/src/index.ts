export {
  createTopics,
  deleteRecordsBefore,
  deleteTopics,
  openAdmin,
  topicMessageCount,
  withAdmin,
  type ClusterDescription,
  type CommittedOffset,
  type KafkaAdmin,
  type PartitionWatermarks,
  type TopicAdminOptions,
  type TopicSpec,
} from './admin.js';
export {
  createKafkaClient,
  type KafkaClient,
  type KafkaClientOptions,
  type KafkaLogLevel,
  type KafkaLogRecord,
  type KafkaSaslOptions,
  type KafkaSocketFactory,
  type KafkaSocketRequest,
  type KafkaTlsOptions,
  type SaslMechanism,
} from './client.js';
export { kafkaClientOptions, type KafkaConnectionSettings } from './connection-files.js';
export {
  ConsumeLoop,
  type ConsumeLoopLogger,
  type ConsumeLoopOptions,
  type ConsumeLoopPortOptions,
  type ConsumeLoopSettings,
} from './consume-loop.js';
export type {
  BatchControl,
  ConsumerBatch,
  ConsumerEvents,
  ConsumerPort,
  GroupMember,
  TopicPartition,
  TopicPartitionOffset,
} from './consumer-port.js';
export { GroupConsumer, type GroupConsumerCrash, type GroupConsumerOptions } from './group-consumer.js';
export {
  DEFAULT_MAX_REQUEST_BYTES,
  OutputProducer,
  RECORD_OVERHEAD_BYTES,
  REQUEST_OVERHEAD_BYTES,
  type OutputProducerOptions,
  type ReplaceRefused,
} from './producer.js';
export { produceMessages, produceToPartitions, type PartitionedMessage } from './produce.js';
export {
  KafkaConnectError,
  readTopic,
  TopicNotFoundError,
  type PartitionRange,
  type ReadTopicOptions,
  type ReadTopicResult,
} from './read-topic.js';
export {
  readRecordsAt,
  RecordReader,
  recordAddress,
  type RecordAt,
  type RecordReaderOptions,
  type RecordRequest,
} from './record-reader.js';
export type { ConsumedRecord, OutboundMessage, ProduceMessage } from './records.js';
export { recordRefusal, type RecordRefusal } from './refusals.js';
