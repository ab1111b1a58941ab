/**
 * How many messages a queue holds (waiting, received and not yet deleted, delayed), as SQS approximates
 * them: what an operator command reports before it talks about a queue's messages.
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
