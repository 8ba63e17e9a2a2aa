// The scan's shaded relief (GET /scans/{id}/relief.png) with every scar's outline drawn over it in
// SVG, in millimetres (x = column × dx, y = row × dy from the first stored sample: DESIGN.md), so
// outlines stay sharp at any zoom and a scar can be hovered or selected. The picture is described
// for screen readers; the scar table beside it is the keyboard's way to the same scars.
import { useState } from 'preact/hooks';

import type { Scar } from '../api/documents';
import { t } from '../i18n';
import { label } from '../labels';

export interface Extent {
  width_mm: number;
  height_mm: number;
}

export function ScarFigure({
  imageUrl,
  extent,
  scars,
  selected,
  highlighted,
  removed,
  onSelect,
  onHover,
  onImageLoad,
}: {
  imageUrl: string;
  extent: Extent;
  scars: Scar[];
  selected: number | null;
  highlighted: number[];
  removed?: Set<number>;
  onSelect: (id: number) => void;
  onHover?: (id: number | null) => void;
  onImageLoad?: () => void;
}) {
  const { width_mm: width, height_mm: height } = extent;
  const [loaded, setLoaded] = useState(false);
  const fontSize = Math.max(width, height) / 40;
  const description = t('scan.figureDescription', {
    n: scars.length,
    width: width.toFixed(1),
    height: height.toFixed(1),
  });
  return (
    <figure class="scan-figure">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={description} preserveAspectRatio="xMidYMid meet">
        <image
          href={imageUrl}
          x={0}
          y={0}
          width={width}
          height={height}
          preserveAspectRatio="none"
          data-loaded={loaded ? 'true' : 'false'}
          onLoad={() => {
            setLoaded(true);
            onImageLoad?.();
          }}
        />
        {scars.map((scar) => {
          if (removed?.has(scar.id)) return null;
          const outline = scar.outline_mm && scar.outline_mm.length >= 3 ? scar.outline_mm : null;
          const classes = [
            'scar-outline',
            scar.type,
            scar.id === selected ? 'selected' : '',
            highlighted.includes(scar.id) ? 'highlight' : '',
          ].join(' ');
          const [cx, cy] = scar.centroid_mm;
          const radius = Math.max((scar.diameter_mm ?? 1) / 2, 0.3);
          return (
            <g
              key={scar.id}
              data-scar={scar.id}
              onClick={() => onSelect(scar.id)}
              onMouseEnter={() => onHover?.(scar.id)}
              onMouseLeave={() => onHover?.(null)}
            >
              <title>{t('scan.scarTitle', { id: scar.id, type: label('scarType', scar.type) })}</title>
              {outline ? (
                <polygon class={classes} points={outline.map(([x, y]) => `${x},${y}`).join(' ')} />
              ) : (
                <circle class={classes} cx={cx} cy={cy} r={radius} />
              )}
              <text
                class="scar-label"
                x={cx + radius}
                y={cy - radius}
                font-size={fontSize}
                stroke-width={fontSize * 0.18}
              >
                {scar.id}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="legend">
          {(['ice_pick', 'boxcar', 'rolling', 'hypertrophic'] as const).map((type) => (
            <span key={type}>
              <span class={`type-swatch type-${type}`} aria-hidden="true" />
              {label('scarType', type)}
            </span>
          ))}
        </span>
      </figcaption>
    </figure>
  );
}
