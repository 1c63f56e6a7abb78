/** The "Saved." line shown on a list after its form saved and came back. */
import { createStore } from '../store';

export const savedName = createStore<string | null>(null);
