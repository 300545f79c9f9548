/** Placeholder until the consumer is wired to the batch processor. */
export const handler = async (): Promise<void> => {
  throw new Error('This consumer is not wired yet.');
};
