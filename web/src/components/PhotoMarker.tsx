// A photograph to mark scars on. A crosshair follows the mouse, or moves with the arrow keys when
// the photo has focus (Shift moves further); a click or Enter places a mark (or a ruler end, in
// ruler mode). Marks are in the photograph's own pixels; with a ruler (two points and the distance
// between them in mm) each mark's diameter is drawn to scale, so the estimate can be checked by eye.
import { useRef, useState } from 'preact/hooks';

import type { ScarType } from '../api/documents';
import { t } from '../i18n';

export interface Mark {
  x: number;
  y: number;
  type: ScarType;
  diameter_mm: number | null;
  depth_class: 'shallow' | 'deep' | null;
  stretch_flattens: boolean | null;
}

export interface Ruler {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  mm: number;
}

export function mmPerPixel(ruler: Ruler | null): number | null {
  if (!ruler || !(ruler.mm > 0)) return null;
  const length = Math.hypot(ruler.x2 - ruler.x1, ruler.y2 - ruler.y1);
  return length > 0 ? ruler.mm / length : null;
}

export function PhotoMarker({
  imageUrl,
  width,
  height,
  marks,
  ruler,
  selected,
  mode,
  onPlace,
  onSelect,
  alt,
}: {
  imageUrl: string;
  width: number;
  height: number;
  marks: Mark[];
  ruler: Ruler | null;
  selected: number | null;
  mode: 'mark' | 'ruler-start' | 'ruler-end' | 'view';
  onPlace: (x: number, y: number) => void;
  onSelect: (index: number) => void;
  alt: string;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const [cursor, setCursor] = useState<{ x: number; y: number }>({ x: width / 2, y: height / 2 });
  const scale = mmPerPixel(ruler);
  const size = Math.max(width, height);
  const stroke = size / 300;

  const fromEvent = (event: MouseEvent) => {
    const box = frame.current?.getBoundingClientRect();
    if (!box || box.width === 0) return null;
    return {
      x: Math.round(((event.clientX - box.left) / box.width) * width),
      y: Math.round(((event.clientY - box.top) / box.height) * height),
    };
  };

  const place = (x: number, y: number) => {
    // A click near an existing mark selects it rather than placing another on top.
    const near = marks.findIndex((mark) => Math.hypot(mark.x - x, mark.y - y) < size / 60);
    if (near >= 0 && mode === 'mark') onSelect(near);
    else if (mode !== 'view') onPlace(x, y);
  };

  return (
    <div
      class="photo-marker"
      ref={frame}
      tabIndex={0}
      role="application"
      aria-label={t('manual.photoKeyboard', { mode: t(`manual.mode.${mode}`) })}
      aria-describedby="photo-marker-help"
      data-mode={mode}
      onMouseMove={(event) => {
        const point = fromEvent(event);
        if (point) setCursor(point);
      }}
      onClick={(event) => {
        const point = fromEvent(event);
        if (point) place(point.x, point.y);
      }}
      onKeyDown={(event) => {
        const step = (event.shiftKey ? 0.05 : 0.01) * size;
        const moves: Record<string, [number, number]> = {
          ArrowLeft: [-step, 0],
          ArrowRight: [step, 0],
          ArrowUp: [0, -step],
          ArrowDown: [0, step],
        };
        const move = moves[event.key];
        if (move) {
          event.preventDefault();
          setCursor((current) => ({
            x: Math.round(Math.min(width - 1, Math.max(0, current.x + move[0]))),
            y: Math.round(Math.min(height - 1, Math.max(0, current.y + move[1]))),
          }));
        } else if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          place(cursor.x, cursor.y);
        }
      }}
    >
      <img src={imageUrl} alt={alt} width={width} height={height} draggable={false} />
      <svg viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
        {ruler && (
          <line
            x1={ruler.x1}
            y1={ruler.y1}
            x2={ruler.x2}
            y2={ruler.y2}
            stroke="#ffd400"
            stroke-width={stroke * 1.5}
            stroke-dasharray={`${stroke * 6} ${stroke * 3}`}
          />
        )}
        {marks.map((mark, index) => {
          const radius = scale && mark.diameter_mm ? mark.diameter_mm / scale / 2 : size / 80;
          return (
            <g key={index}>
              <circle
                cx={mark.x}
                cy={mark.y}
                r={radius}
                fill="none"
                stroke={`var(--${mark.type})`}
                stroke-width={index === selected ? stroke * 2.5 : stroke * 1.5}
              />
              <text
                x={mark.x + radius + stroke * 2}
                y={mark.y - radius}
                font-size={size / 45}
                stroke-width={size / 250}
                class="scar-label"
              >
                {index + 1}
              </text>
            </g>
          );
        })}
        {mode !== 'view' && (
          <g>
            <line x1={cursor.x - size / 50} y1={cursor.y} x2={cursor.x + size / 50} y2={cursor.y} stroke="#fff" stroke-width={stroke} />
            <line x1={cursor.x} y1={cursor.y - size / 50} x2={cursor.x} y2={cursor.y + size / 50} stroke="#fff" stroke-width={stroke} />
          </g>
        )}
      </svg>
    </div>
  );
}
