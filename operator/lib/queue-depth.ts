/**
 * How many messages a queue holds (waiting, received and not yet deleted, delayed), as SQS approximates
 * them: what an operator command reports before it talks about a queue's messages. And how many of them
 * another reader holds (received, not yet deleted or handed back), which a receive cannot see.
 */
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";

const COUNTED = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
] as const;
type Counted = (typeof COUNTED)[number];

async function counts(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  names: readonly Counted[],
): Promise<Record<Counted, number>> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }),
  );
  return Object.fromEntries(COUNTED.map((name) => [name, Number(Attributes?.[name] ?? 0)])) as Record<
    Counted,
    number
  >;
}

export async function queueDepth(sqs: Pick<SQSClient, "send">, queueUrl: string): Promise<number> {
  const all = await counts(sqs, queueUrl, COUNTED);
  return COUNTED.reduce((sum, name) => sum + all[name], 0);
}

/** Messages received by a reader and neither deleted nor handed back yet: hidden until their timeout. */
export async function messagesHeldElsewhere(sqs: Pick<SQSClient, "send">, queueUrl: string): Promise<number> {
  return (await counts(sqs, queueUrl, ["ApproximateNumberOfMessagesNotVisible"]))
    .ApproximateNumberOfMessagesNotVisible;
}
