/**
 * Where dead letters are read from and removed: the JSON Lines file of `FileDeadLetterSink`, or an
 * SQS queue (any endpoint), with the bodies the SQS extended client's pointer spilled to S3.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { S3_POINTER_CLASS } from '../../../shared/internal';
import { isProcessAlive } from '../processes';
import { type DeadLetter, parseDeadLetter, type UnreadableLetter } from './letters';

/** What a source holds. */
export interface SourceContents {
  readonly letters: readonly DeadLetter[];
  readonly unreadable: readonly UnreadableLetter[];
}

/** A step of a removal, for a test that kills the process between them. */
export type RemovalStep = 'removal-written';

/** A store of dead letters. */
export interface DeadLetterSource {
  /** `file .local/dead-letters.jsonl`, `SQS <url>`. */
  readonly description: string;
  /** The dead-letter URL a consumer re-run writes new failures to (`DEAD_LETTER_QUEUE_URL`). */
  readonly url: string;
  /** Every dead letter (SQS: received and held invisible until {@link DeadLetterSource.close}). */
  read(): Promise<SourceContents>;
  /** Keeps a dead letter held for at least the redrive of one record (SQS: its visibility). */
  hold(letter: DeadLetter): Promise<void>;
  /** Removes a dead letter once its redelivery succeeded. */
  remove(letter: DeadLetter, onStep?: (step: RemovalStep) => void): Promise<void>;
  /** Lets go of what is held and not removed (SQS: visible again at once). */
  close(): Promise<void>;
}

/**
 * The id of a line of the file: the first 16 hex characters of its SHA-256 (stable across
 * rewrites, since a removal keeps every other line as it is).
 *
 * @example
 * ```ts
 * lineId('{"service":"spellchecker",...}'); // '9c1e...'
 * ```
 */
export function lineId(line: string): string {
  return createHash('sha256').update(line, 'utf8').digest('hex').slice(0, 16);
}

/**
 * The JSON Lines file of `FileDeadLetterSink`. A removal rewrites the file without the line: a
 * temporary file beside it, flushed, then renamed over it (atomic on POSIX), so a process killed
 * at any point leaves the old file or the new one, never half of one. A file that grew while the
 * rewrite was prepared (a consumer appending) is read again rather than overwritten.
 */
export class FileSource implements DeadLetterSource {
  readonly description: string;
  readonly url: string;

  constructor(readonly path: string) {
    this.description = `file ${path}`;
    this.url = pathToFileURL(path).href;
  }

  async read(): Promise<SourceContents> {
    const letters: DeadLetter[] = [];
    const unreadable: UnreadableLetter[] = [];
    const lines = (await this.text()).split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        letters.push(parseDeadLetter(lineId(line), line));
      } catch (error) {
        unreadable.push({ position: `line ${index + 1}`, reason: (error as Error).message });
      }
    });
    return { letters, unreadable };
  }

  async hold(): Promise<void> {}

  async remove(letter: DeadLetter, onStep?: (step: RemovalStep) => void): Promise<void> {
    await this.removeStaleTemps();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const before = await this.size();
      const lines = (await this.text()).split('\n');
      const index = lines.findIndex((line) => line.trim() !== '' && lineId(line) === letter.id);
      if (index < 0) return; // removed already (a rerun after the rename)
      const kept = lines.filter((_, i) => i !== index).join('\n');
      const temp = `${this.path}.${process.pid}.tmp`;
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(kept, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      onStep?.('removal-written');
      if ((await this.size()) !== before) {
        await rm(temp, { force: true });
        continue; // appended meanwhile: start again from what is there now
      }
      await rename(temp, this.path);
      return;
    }
    throw new Error(
      `${this.path} kept changing while the dead letter was being removed; run the redrive again.`,
    );
  }

  async close(): Promise<void> {}

  /** Deletes the temporary files of removals whose process is gone (killed before its rename). */
  private async removeStaleTemps(): Promise<void> {
    const prefix = `${basename(this.path)}.`;
    let names: string[] = [];
    try {
      names = await readdir(dirname(this.path));
    } catch {
      return;
    }
    for (const name of names) {
      const pid =
        name.startsWith(prefix) && name.endsWith('.tmp') ? Number(name.slice(prefix.length, -4)) : Number.NaN;
      if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isProcessAlive(pid)) continue;
      await rm(join(dirname(this.path), name), { force: true });
    }
  }

  private async text(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return '';
      throw error;
    }
  }

  private async size(): Promise<number> {
    try {
      return (await stat(this.path)).size;
    } catch {
      return 0;
    }
  }
}

/** Options of {@link SqsSource}. */
export interface SqsSourceOptions {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  /**
   * Seconds a received dead letter stays invisible to other readers; renewed before each redrive.
   * @default 300
   */
  readonly visibilityTimeout?: number;
}

/** What SQS needs to delete or release a received message. */
interface Held {
  readonly receiptHandle: string;
}

/**
 * An SQS dead-letter queue. Reading receives every message (each held invisible for the
 * visibility timeout, so that two redrives never take the same one) until the queue answers
 * empty; {@link SqsSource.close} makes the ones not removed visible again. A process killed
 * meanwhile loses nothing: SQS makes them visible once the timeout is over.
 */
export class SqsSource implements DeadLetterSource {
  readonly description: string;
  readonly url: string;
  private readonly held = new Map<string, Held>();
  /** The ETag of each spilled body read, by message id. */
  private readonly etags = new Map<string, string | undefined>();
  private readonly visibilityTimeout: number;

  constructor(
    readonly queueUrl: string,
    private readonly options: SqsSourceOptions,
  ) {
    this.description = `SQS ${queueUrl}`;
    this.url = queueUrl;
    this.visibilityTimeout = options.visibilityTimeout ?? 300;
  }

  async read(): Promise<SourceContents> {
    const letters: DeadLetter[] = [];
    const unreadable: UnreadableLetter[] = [];
    for (;;) {
      const response = await this.options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: this.visibilityTimeout,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = response.Messages ?? [];
      if (messages.length === 0) break;
      for (const message of messages) {
        const id = message.MessageId;
        if (!id || !message.ReceiptHandle || this.held.has(id)) continue;
        this.held.set(id, { receiptHandle: message.ReceiptHandle });
        try {
          letters.push(await this.letterOf(id, message));
        } catch (error) {
          unreadable.push({ position: `message ${id}`, reason: (error as Error).message });
        }
      }
    }
    return { letters, unreadable };
  }

  async hold(letter: DeadLetter): Promise<void> {
    const held = this.held.get(letter.id);
    if (!held) throw new Error(`Dead letter ${letter.id} is not held by this redrive.`);
    await this.options.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: held.receiptHandle,
        VisibilityTimeout: this.visibilityTimeout,
      }),
    );
  }

  async remove(letter: DeadLetter): Promise<void> {
    const held = this.held.get(letter.id);
    if (!held) throw new Error(`Dead letter ${letter.id} is not held by this redrive.`);
    // The message first: an object without a message is litter; a message without its object is a loss.
    await this.options.sqs.send(
      new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: held.receiptHandle }),
    );
    this.held.delete(letter.id);
    const spilled = letter.spilled;
    if (spilled) {
      // The key is the same for every dead letter of one record: a redelivery that failed again
      // may have spilled its own dead letter over it. Only the object this message pointed at goes.
      const head = await this.options.s3
        .send(new HeadObjectCommand({ Bucket: spilled.bucket, Key: spilled.key }))
        .then(
          (found) => found.ETag,
          () => undefined,
        );
      if (head !== undefined && head === this.etags.get(letter.id)) {
        await this.options.s3.send(new DeleteObjectCommand({ Bucket: spilled.bucket, Key: spilled.key }));
      }
    }
  }

  async close(): Promise<void> {
    const entries = [...this.held.values()].map((held, index) => ({
      Id: String(index),
      ReceiptHandle: held.receiptHandle,
      VisibilityTimeout: 0,
    }));
    for (let i = 0; i < entries.length; i += 10) {
      await this.options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: entries.slice(i, i + 10),
        }),
      );
    }
    this.held.clear();
  }

  private async letterOf(id: string, message: Message): Promise<DeadLetter> {
    const body = message.Body ?? '';
    const pointer = s3Pointer(body);
    if (!pointer) return parseDeadLetter(id, body);
    const object = await this.options.s3.send(
      new GetObjectCommand({ Bucket: pointer.bucket, Key: pointer.key }),
    );
    const text = (await object.Body?.transformToString('utf8')) ?? '';
    return parseDeadLetter(id, text, pointer);
  }
}

/** The bucket and key of an SQS extended client's pointer body, or `undefined` for any other body. */
function s3Pointer(body: string): { bucket: string; key: string } | undefined {
  if (!body.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (!Array.isArray(parsed) || parsed[0] !== S3_POINTER_CLASS) return undefined;
    const { s3BucketName, s3Key } = (parsed[1] ?? {}) as { s3BucketName?: unknown; s3Key?: unknown };
    return typeof s3BucketName === 'string' && typeof s3Key === 'string'
      ? { bucket: s3BucketName, key: s3Key }
      : undefined;
  } catch {
    return undefined;
  }
}
