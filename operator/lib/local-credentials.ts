/** Credentials for loopback emulators (kinesalite, fauxqs): they check the signature's shape, not the keys. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
