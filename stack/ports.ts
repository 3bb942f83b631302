/**
 * The local stack's default ports and credentials, by the variable that overrides each. One table:
 * the stack (`stack/config.ts`) listens on them and the app's development defaults
 * (`platform/localStack.ts`) connect to them, so the two cannot drift apart.
 */
export const LOCAL_STACK_DEFAULTS = {
  ORDERFLOW_PG_PORT: 5433,
  ORDERFLOW_PG_USER: 'orderflow',
  ORDERFLOW_PG_PASSWORD: 'orderflow',
  ORDERFLOW_KAFKA_PORT: 9092,
  ORDERFLOW_KAFKA_CONTROLLER_PORT: 9093,
  ORDERFLOW_MONGO_PORT: 27017,
  ORDERFLOW_REDIS_PORT: 6380,
} as const;
