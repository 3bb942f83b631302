/** What `stack:status` reports for one service. */
export interface ServiceStatus {
  name: string;
  port: number;
  answers: boolean;
  version: string;
  pid?: number;
}
