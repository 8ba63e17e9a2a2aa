// Small building blocks every page uses: loading data, showing the server's error text, labelled
// form fields, sortable table headings. Every control is a native element with a visible label, so
// keyboard use and screen readers work without extra wiring.
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { ApiError } from '../api/client';
import { t } from '../i18n';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => void;
  set: (value: T) => void;
}

// Loads `load()` when the deps change (the previous load is aborted) and on reload().
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setLoading(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { data, error, loading, reload, set: setData };
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div class="notice notice-error" role="alert">
      {title && <strong>{title}: </strong>}
      {errorText(error)}
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  return (
    <p class="loading" role="status">
      {label ?? t('common.loading')}
    </p>
  );
}

// The page's heading; focused when the page opens so a screen reader announces it and the next
// Tab starts at the top of the page.
export function PageTitle({ children, sub }: { children: ComponentChildren; sub?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <header class="page-title">
      <h1 tabIndex={-1} ref={heading}>
        {children}
      </h1>
      {sub && <p class="subtitle">{sub}</p>}
    </header>
  );
}

let fieldCounter = 0;
export function useId(prefix: string): string {
  const id = useRef<string>('');
  if (!id.current) id.current = `${prefix}-${++fieldCounter}`;
  return id.current;
}

interface FieldProps {
  label: string;
  hint?: string;
  error?: string | undefined;
  children: (id: string, describedBy: string | undefined) => JSX.Element;
  class?: string;
}

// A label, the control, a hint and the error for it (aria-describedby ties them together).
export function Field({ label, hint, error, children, class: extra }: FieldProps) {
  const id = useId('field');
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={'field' + (error ? ' field-invalid' : '') + (extra ? ` ${extra}` : '')}>
      <label for={id}>{label}</label>
      {children(id, described)}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export type TriState = boolean | null;

// Yes / no / not known yet: the planning profile distinguishes "no" from "not asked".
export function TriStateSelect({
  label,
  value,
  onChange,
  hint,
}: {
  label: string;
  value: TriState | undefined;
  onChange: (value: TriState) => void;
  hint?: string;
}) {
  const text = value === true ? 'yes' : value === false ? 'no' : '';
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(id, describedBy) => (
        <select
          id={id}
          aria-describedby={describedBy}
          value={text}
          onChange={(event) => {
            const chosen = (event.currentTarget as HTMLSelectElement).value;
            onChange(chosen === 'yes' ? true : chosen === 'no' ? false : null);
          }}
        >
          <option value="">{t('common.unknown')}</option>
          <option value="yes">{t('common.yes')}</option>
          <option value="no">{t('common.no')}</option>
        </select>
      )}
    </Field>
  );
}

export type SortDirection = 'ascending' | 'descending';
export interface SortState<K extends string> {
  key: K;
  direction: SortDirection;
}

// A column heading that sorts the table (a button inside the <th>, aria-sort on the <th>).
export function SortHeader<K extends string>({
  label,
  column,
  sort,
  onSort,
  numeric,
}: {
  label: string;
  column: K;
  sort: SortState<K>;
  onSort: (next: SortState<K>) => void;
  numeric?: boolean;
}) {
  const active = sort.key === column;
  return (
    <th scope="col" aria-sort={active ? sort.direction : 'none'} class={numeric ? 'num' : undefined}>
      <button
        type="button"
        class="sort"
        onClick={() =>
          onSort({
            key: column,
            direction: active && sort.direction === 'ascending' ? 'descending' : 'ascending',
          })
        }
      >
        {label}
        <span aria-hidden="true">{active ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

// A modal dialog on the native <dialog> (focus moves in and is kept there; Escape closes it).
export function Dialog({
  title,
  open,
  onClose,
  children,
  closable = true,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ComponentChildren;
  closable?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId('dialog');
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (closable) onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

export function ProgressBar({ label, value }: { label: string; value: number | null }) {
  const id = useId('progress');
  return (
    <div class="progress">
      <label for={id}>{label}</label>
      {value === null ? <progress id={id} /> : <progress id={id} max={1} value={value} />}
    </div>
  );
}

export function today(): string {
  const now = new Date();
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
