// The 3D view's frame: fetches GET /scans/{id}/surface (heights downsampled to at most 512 × 512,
// float32) and loads three.js (surface3d.ts, its own chunk) only when the view is opened. A height
// exaggeration slider; the whole scan or the selected scar's neighbourhood.
import { useEffect, useRef, useState } from 'preact/hooks';

import { call } from '../api/client';
import { t } from '../i18n';
import type { Focus, Surface, SurfaceScene } from '../surface3d';
import { ErrorNotice, Field, Loading } from './ui';

// The surface route answers the grid and its heights as little-endian float32 (row-major, NaN
// where missing) in base64.
export async function loadSurface(scanId: string, signal?: AbortSignal): Promise<Surface> {
  const answer = await call('GET /scans/{id}/surface', { path: { id: scanId }, ...(signal ? { signal } : {}) });
  const { nx, ny, dx_um, dy_um } = answer;
  const text = atob(answer.heights_um_f32le_base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  if (!(nx > 0 && ny > 0 && bytes.byteLength === nx * ny * 4))
    throw new Error(t('surface.badData', { bytes: bytes.byteLength, nx, ny }));
  // Little-endian on every machine a browser runs on today; read through a DataView to be sure.
  const view = new DataView(bytes.buffer);
  const heights = new Float32Array(nx * ny);
  for (let i = 0; i < heights.length; i++) heights[i] = view.getFloat32(i * 4, true);
  return { nx, ny, dx_um, dy_um, heights };
}

export function SurfaceView({ scanId, focus }: { scanId: string; focus: Focus | null }) {
  const frame = useRef<HTMLDivElement>(null);
  const scene = useRef<SurfaceScene | null>(null);
  const [exaggeration, setExaggeration] = useState(3);
  const [error, setError] = useState<unknown>(undefined);
  const [ready, setReady] = useState(false);
  const focusKey = focus ? `${focus.center_mm[0]},${focus.center_mm[1]},${focus.radius_mm}` : '';

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([loadSurface(scanId, controller.signal), import('../surface3d')]).then(
      ([surface, module]) => {
        if (controller.signal.aborted || !frame.current) return;
        try {
          scene.current = module.mountSurface(frame.current, surface, focus);
          scene.current.setExaggeration(exaggeration);
          setReady(true);
        } catch (failure) {
          setError(new Error(t('surface.noWebgl')));
          console.warn(failure);
        }
      },
      (failure) => !controller.signal.aborted && setError(failure),
    );
    return () => {
      controller.abort();
      scene.current?.dispose();
      scene.current = null;
    };
    // The scene is made once per scan; focus and exaggeration are passed to it below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scanId]);

  useEffect(() => scene.current?.setFocus(focus), [focusKey]);
  useEffect(() => scene.current?.setExaggeration(exaggeration), [exaggeration]);

  return (
    <section class="panel" aria-labelledby="surface-title">
      <h2 id="surface-title">{t('surface.title')}</h2>
      <ErrorNotice error={error} />
      {!ready && !error && <Loading label={t('surface.loading')} />}
      <div class="surface-view" ref={frame} data-ready={ready ? 'true' : 'false'} />
      <p class="hint">{t('surface.controls')}</p>
      <Field label={t('surface.exaggeration', { factor: exaggeration })}>
        {(id) => (
          <input
            id={id}
            type="range"
            min={1}
            max={20}
            step={1}
            value={exaggeration}
            onInput={(event) => setExaggeration(Number(event.currentTarget.value))}
          />
        )}
      </Field>
    </section>
  );
}
