declare module "kinesalite" {
  import type { Server } from "node:http";

  type Options = {
    path?: string;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
  };
  export default function kinesalite(options?: Options): Server;
}
