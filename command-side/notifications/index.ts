export { NotificationError, type NotificationMessage, type Notifier } from './notifier.ts';
export {
  CUSTOMER_EMAIL_DOMAIN,
  customerEmail,
  formatMinor,
  isNotifiable,
  NOTIFIABLE_TYPES,
  notificationFor,
  notificationKey,
  renderNotification,
  type EmailLookup,
  type NotifiableEvent,
  type OrderSummary,
} from './templates.ts';
export { createSmtpNotifier, messageIdFor, type SmtpNotifier, type SmtpNotifierOptions } from './smtpNotifier.ts';
export { startSmtpSink, type SmtpSink, type SmtpSinkOptions, type StoredMail } from './smtpSink.ts';
