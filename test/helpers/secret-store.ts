/**
 * Secrets Manager's versions and staging labels, as a rotation function sees them (SecretStore of
 * functions/secret-rotation/app.ts), and the rotation itself as Secrets Manager drives it: a new version
 * id staged AWSPENDING (no value yet), then the four steps in order, each tried until it succeeds.
 * test/integration/secret-store.test.ts checks the labels' rules against moto's Secrets Manager.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { SecretStore } from "../../functions/secret-rotation/app";

type Version = { text?: string; stages: string[] };

export class SecretStoreModel implements SecretStore {
  readonly secrets = new Map<string, { rotationEnabled: boolean; versions: Map<string, Version> }>();

  create(secretId: string, text: string, rotationEnabled = true): void {
    this.secrets.set(secretId, {
      rotationEnabled,
      versions: new Map([[randomUUID(), { text, stages: ["AWSCURRENT"] }]]),
    });
  }

  private secret(secretId: string) {
    const secret = this.secrets.get(secretId);
    if (!secret) throw new Error(`ResourceNotFoundException: ${secretId}`);
    return secret;
  }

  private moveLabel(secretId: string, label: string, to: string): void {
    for (const [id, version] of this.secret(secretId).versions)
      if (id !== to) version.stages = version.stages.filter((s) => s !== label);
    const target = this.secret(secretId).versions.get(to);
    if (target && !target.stages.includes(label)) target.stages.push(label);
  }

  /** The text labelled `stage` (AWSCURRENT, AWSPREVIOUS) now. */
  textOf(secretId: string, stage: string): string | undefined {
    for (const version of this.secret(secretId).versions.values())
      if (version.stages.includes(stage)) return version.text;
    return undefined;
  }

  async describe(secretId: string) {
    const secret = this.secret(secretId);
    return {
      rotationEnabled: secret.rotationEnabled,
      versions: Object.fromEntries([...secret.versions].map(([id, v]) => [id, [...v.stages]])),
    };
  }

  async value(secretId: string, stage: string, versionId?: string) {
    const versions = this.secret(secretId).versions;
    const version = versionId
      ? versions.get(versionId)
      : [...versions.values()].find((v) => v.stages.includes(stage));
    if (!version?.stages.includes(stage)) return undefined;
    return version.text;
  }

  async putPending(secretId: string, versionId: string, text: string) {
    const versions = this.secret(secretId).versions;
    const existing = versions.get(versionId);
    // A version's value, once stored, cannot change (Secrets Manager refuses another under the same id).
    if (existing?.text !== undefined && existing.text !== text)
      throw new Error("ResourceExistsException: a version with this id holds another value");
    versions.set(versionId, { text, stages: existing?.stages ?? [] });
    this.moveLabel(secretId, "AWSPENDING", versionId);
  }

  async makeCurrent(secretId: string, versionId: string, fromVersionId: string) {
    const from = this.secret(secretId).versions.get(fromVersionId);
    if (!from?.stages.includes("AWSCURRENT"))
      throw new Error("InvalidParameterException: the version to remove AWSCURRENT from does not hold it");
    this.moveLabel(secretId, "AWSPREVIOUS", fromVersionId);
    this.moveLabel(secretId, "AWSCURRENT", versionId);
  }

  async randomPassword() {
    return randomBytes(30).toString("base64url").slice(0, 40);
  }

  /** Stages a new version for rotation, as RotateSecret does before it calls the function. */
  startRotation(secretId: string): string {
    const token = randomUUID();
    this.moveLabel(secretId, "AWSPENDING", token);
    this.secret(secretId).versions.set(token, { stages: ["AWSPENDING"] });
    return token;
  }
}

export const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
