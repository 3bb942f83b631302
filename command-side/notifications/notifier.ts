/** One e-mail to a customer. */
export interface NotificationMessage {
  to: string;
  subject: string;
  /** Plain-text body. */
  text: string;
  /**
   * Stable per business fact (e.g. `OrderConfirmed:<orderId>`): sending the same message
   * twice carries the same key, so the transport can give it the same Message-ID and
   * mail clients or a deduplicating relay can drop the copy.
   */
  idempotencyKey: string;
}

/**
 * The notification port. Delivery is at-least-once: the notify role may send again after
 * a crash, with the same idempotency key.
 */
export interface Notifier {
  /**
   * Hands the message to the transport.
   * @throws NotificationError when the transport refuses or cannot be reached.
   */
  send(msg: NotificationMessage): Promise<void>;
}

/** A message could not be handed over. `retriable` is false for permanent refusals (5xx). */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';

  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
