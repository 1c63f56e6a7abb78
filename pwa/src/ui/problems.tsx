/**
 * Showing a form's problems on the first Save tap: focus moves to the first
 * problem, it is scrolled to the middle of the screen, and its text is
 * announced (role="alert") for screen readers.
 *
 * Why after rendering: the errors are drawn by the same state change that
 * Save makes, so looking for them inside the submit handler finds the
 * previous tap's errors (or none) — which is why the page used to scroll
 * only on the second tap. The effect below runs once the new errors are in
 * the page.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

/** What a form needs: a ref for its element, a call for a refused Save, and the text to announce. */
export interface ProblemFocus {
  formRef: RefObject<HTMLFormElement>;
  /** Call when Save found problems (after setting the errors). */
  showProblems: () => void;
  /** The announcement element; render it inside the form. */
  alert: preact.JSX.Element;
}

/** The first problem in `root`, the control to focus for it, and its text. */
export function firstProblem(root: ParentNode): { error: HTMLElement; focus: HTMLElement; text: string } | null {
  const error = root.querySelector<HTMLElement>('.field-error');
  if (!error) return null;
  // A field's error is `<id>-error` beside its input; a group's error (who
  // came, the head counts) has no single input, so the error itself takes focus.
  const fieldId = error.id.endsWith('-error') ? error.id.slice(0, -'-error'.length) : '';
  const input = fieldId ? document.getElementById(fieldId) : null;
  let focus: HTMLElement = input ?? error;
  if (!input) error.tabIndex = -1;
  if (focus instanceof HTMLInputElement && focus.type === 'hidden') focus = error;
  return { error, focus, text: error.textContent ?? '' };
}

export function useProblemFocus(): ProblemFocus {
  const formRef = useRef<HTMLFormElement>(null);
  const [attempt, setAttempt] = useState(0);
  const [text, setText] = useState('');
  useEffect(() => {
    if (attempt === 0 || !formRef.current) return;
    const found = firstProblem(formRef.current);
    if (!found) return;
    found.focus.focus({ preventScroll: true });
    found.error.scrollIntoView({ block: 'center' });
    setText(found.text);
  }, [attempt]);
  return {
    formRef,
    showProblems: () => setAttempt((a) => a + 1),
    // A new element per attempt, so the same text is announced again on a second tap.
    alert: (
      <p key={attempt} class="visually-hidden" role="alert" data-testid="problem-alert">
        {text}
      </p>
    ),
  };
}
