/** How many requests the producer API served recently (CloudWatch AWS/ApiGateway Count, summed). */
import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";

export async function apiRequestCount(
  cloudwatch: Pick<CloudWatchClient, "send">,
  apiId: string,
  hours: number,
  now = new Date(),
): Promise<number> {
  const result = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - hours * 3_600_000),
      EndTime: now,
      MetricDataQueries: [
        {
          Id: "requests",
          MetricStat: {
            Metric: {
              Namespace: "AWS/ApiGateway",
              MetricName: "Count",
              Dimensions: [{ Name: "ApiId", Value: apiId }],
            },
            Period: 300,
            Stat: "Sum",
          },
        },
      ],
    }),
  );
  // No datapoints means no requests: API Gateway publishes nothing for idle periods.
  return (result.MetricDataResults?.[0]?.Values ?? []).reduce((sum, value) => sum + value, 0);
}
