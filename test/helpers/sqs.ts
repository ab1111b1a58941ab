/** SQS on loopback from fauxqs (the local stack's), with a client pointed at it. */
export { startLocalSqs as localSqs } from "../../tools/local-stack/sqs";
