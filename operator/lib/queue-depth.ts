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

export async function queueDepth(sqs: Pick<SQSClient, "send">, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...COUNTED] }),
  );
  return COUNTED.reduce((sum, name) => sum + Number(Attributes?.[name] ?? 0), 0);
}

/** Messages received by a reader and neither deleted nor handed back yet: hidden until their timeout. */
export async function messagesHeldElsewhere(sqs: Pick<SQSClient, "send">, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}
