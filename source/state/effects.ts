// What a change to the store means, said by whoever makes it and acted on in one place
// (StateStore's #changed): saved to state.json and shown, shown only, or neither.
export type Effect = 'save' | 'show';
export const save: readonly Effect[] = ['save', 'show'];
export const show: readonly Effect[] = ['show'];
export const nothing: readonly Effect[] = [];
