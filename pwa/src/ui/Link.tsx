/** An in-app link: a real <a href> (long-press, screen readers) that navigates without reloading. */
import type { ComponentChildren } from 'preact';
import { navigate } from '../router';

export function Link({
  href,
  class: className,
  children,
  current,
}: {
  href: string;
  class?: string;
  children: ComponentChildren;
  current?: boolean;
}) {
  return (
    <a
      href={href}
      class={className}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
