export type BacklogVerdict = { drop: false } | { drop: true; reason: string };

/**
 * Whether a live client has fallen too far behind to keep: the bytes written to it but not
 * yet taken by its connection, plus the message about to go, exceed the bound. A client whose
 * queue is empty always gets the next message, however large, so one big snapshot never
 * drops a client that is keeping up. Dropping (it reconnects and resumes) beats buffering
 * without limit or letting one reader hold up everyone's publishes.
 */
export function judgeBacklog(input: { queuedBytes: number; incomingBytes: number; maxQueuedBytes: number }): BacklogVerdict {
  const { queuedBytes, incomingBytes, maxQueuedBytes } = input;
  if (queuedBytes <= 0) return { drop: false };
  if (queuedBytes + incomingBytes <= maxQueuedBytes) return { drop: false };
  return { drop: true, reason: `${queuedBytes} bytes unsent, ${incomingBytes} more would pass the ${maxQueuedBytes}-byte bound` };
}
