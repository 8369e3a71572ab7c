/**
 * The report cannot be read: an unknown SLO name, a store or Prometheus
 * server that cannot answer, an answer that is not what was asked. The
 * message is one line fit for `slowatch report: <message>`.
 */
export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
}
