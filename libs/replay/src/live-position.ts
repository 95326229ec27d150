import { fetchGroupPosition } from '@tracker/kafka';
import type { LivePosition, ReplayContext } from './run-replay';

/** The live position of a model fed by one batch consumer: its group's committed offsets. */
export function consumerGroupPosition(
  context: ReplayContext,
  group: string,
  topics: readonly string[],
): Promise<LivePosition> {
  return fetchGroupPosition(context.kafka, `${context.groupPrefix}.${group}`, topics);
}
