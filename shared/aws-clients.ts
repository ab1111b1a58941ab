/** AWS SDK clients created once per container. */
import { SQSClient } from "@aws-sdk/client-sqs";

/**
 * SQS client. An endpoint from AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL (local emulators) is passed
 * explicitly: only an explicit endpoint stops the SDK from sending each request to its QueueUrl's host.
 */
export function createSqsClient(region: string, env: NodeJS.ProcessEnv = process.env): SQSClient {
  const endpoint = env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL;
  return new SQSClient({ region, ...(endpoint && { endpoint }) });
}
