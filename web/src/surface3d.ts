// The 3D view of a scan's surface (three.js, loaded only with this module): a lit mesh of the
// heights, orbit with the mouse or the arrow keys, zoom with the wheel or +/-, and a height
// exaggeration. Heights come in micrometres on a grid of dx × dy micrometres; missing points
// (NaN) leave holes. `focus` limits the mesh to a scar's neighbourhood.
import {
  AmbientLight,
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

export interface Surface {
  nx: number;
  ny: number;
  dx_um: number;
  dy_um: number;
  heights: Float32Array; // row-major, ny rows of nx, micrometres; NaN where missing
}

export interface Focus {
  center_mm: [number, number];
  radius_mm: number;
}

export interface SurfaceScene {
  setExaggeration(factor: number): void;
  setFocus(focus: Focus | null): void;
  dispose(): void;
}

// Skin-like colour ramp by height: deeper is darker.
function colourFor(value: number, low: number, high: number, out: Color): Color {
  const f = high > low ? Math.min(1, Math.max(0, (value - low) / (high - low))) : 0.5;
  return out.setRGB(0.45 + 0.5 * f, 0.32 + 0.45 * f, 0.28 + 0.38 * f);
}

function buildGeometry(surface: Surface, focus: Focus | null): { geometry: BufferGeometry; size_mm: number } {
  const { nx, ny, dx_um, dy_um, heights } = surface;
  let c0 = 0;
  let c1 = nx - 1;
  let r0 = 0;
  let r1 = ny - 1;
  if (focus) {
    const [cx, cy] = focus.center_mm;
    c0 = Math.max(0, Math.floor(((cx - focus.radius_mm) * 1000) / dx_um));
    c1 = Math.min(nx - 1, Math.ceil(((cx + focus.radius_mm) * 1000) / dx_um));
    r0 = Math.max(0, Math.floor(((cy - focus.radius_mm) * 1000) / dy_um));
    r1 = Math.min(ny - 1, Math.ceil(((cy + focus.radius_mm) * 1000) / dy_um));
  }
  const w = c1 - c0 + 1;
  const h = r1 - r0 + 1;
  // Heights relative to the median of the shown part, in mm (x, y in mm too).
  const values: number[] = [];
  for (let r = r0; r <= r1; r++)
    for (let c = c0; c <= c1; c++) {
      const v = heights[r * nx + c] ?? Number.NaN;
      if (Number.isFinite(v)) values.push(v);
    }
  values.sort((a, b) => a - b);
  const median = values.length ? (values[Math.floor(values.length / 2)] ?? 0) : 0;
  const low = values.length ? (values[Math.floor(values.length * 0.01)] ?? 0) : 0;
  const high = values.length ? (values[Math.floor(values.length * 0.99)] ?? 0) : 0;
  const positions = new Float32Array(w * h * 3);
  const colours = new Float32Array(w * h * 3);
  const colour = new Color();
  const cxMm = ((c0 + c1) / 2) * (dx_um / 1000);
  const cyMm = ((r0 + r1) / 2) * (dy_um / 1000);
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const v = heights[(r + r0) * nx + (c + c0)] ?? Number.NaN;
      positions[i * 3] = (c + c0) * (dx_um / 1000) - cxMm;
      positions[i * 3 + 1] = -((r + r0) * (dy_um / 1000) - cyMm);
      positions[i * 3 + 2] = Number.isFinite(v) ? (v - median) / 1000 : 0;
      colourFor(Number.isFinite(v) ? v : median, low, high, colour);
      colours[i * 3] = colour.r;
      colours[i * 3 + 1] = colour.g;
      colours[i * 3 + 2] = colour.b;
    }
  const indices: number[] = [];
  const valid = (r: number, c: number) => Number.isFinite(heights[(r + r0) * nx + (c + c0)] ?? Number.NaN);
  for (let r = 0; r + 1 < h; r++)
    for (let c = 0; c + 1 < w; c++) {
      if (!(valid(r, c) && valid(r + 1, c) && valid(r, c + 1) && valid(r + 1, c + 1))) continue;
      const a = r * w + c;
      const b = a + 1;
      const d = a + w;
      const e = d + 1;
      indices.push(a, d, b, b, d, e);
    }
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(positions, 3));
  geometry.setAttribute('color', new BufferAttribute(colours, 3));
  geometry.setIndex(indices);
  geometry.computeVertexNormals();
  return { geometry, size_mm: Math.max(w * (dx_um / 1000), h * (dy_um / 1000)) };
}

export function mountSurface(container: HTMLElement, surface: Surface, focus: Focus | null): SurfaceScene {
  const renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  container.appendChild(renderer.domElement);
  renderer.domElement.tabIndex = 0;
  renderer.domElement.setAttribute('role', 'img');
  const scene = new Scene();
  scene.background = new Color(0x10161e);
  const camera = new PerspectiveCamera(40, 4 / 3, 0.01, 1000);
  scene.add(new AmbientLight(0xffffff, 0.45));
  const light = new DirectionalLight(0xffffff, 1.6);
  light.position.set(-1, 1, 2);
  scene.add(light);
  const material = new MeshStandardMaterial({ vertexColors: true, roughness: 0.85, metalness: 0 });
  let mesh: Mesh | null = null;
  let exaggeration = 3;
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.enableDamping = false;
  controls.listenToKeyEvents(renderer.domElement);

  const render = () => renderer.render(scene, camera);
  controls.addEventListener('change', render);

  const resize = () => {
    const width = container.clientWidth || 640;
    const height = container.clientHeight || 480;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    render();
  };
  const observer = new ResizeObserver(resize);
  observer.observe(container);

  const rebuild = (next: Focus | null) => {
    if (mesh) {
      scene.remove(mesh);
      mesh.geometry.dispose();
    }
    const { geometry, size_mm } = buildGeometry(surface, next);
    mesh = new Mesh(geometry, material);
    mesh.scale.set(1, 1, exaggeration);
    scene.add(mesh);
    camera.position.copy(new Vector3(0, -size_mm * 0.9, size_mm * 0.9));
    controls.target.set(0, 0, 0);
    controls.update();
    renderer.domElement.setAttribute('aria-label', next ? 'scar neighbourhood in 3D' : 'scan surface in 3D');
    render();
  };
  rebuild(focus);
  resize();

  return {
    setExaggeration(factor: number) {
      exaggeration = factor;
      mesh?.scale.set(1, 1, factor);
      render();
    },
    setFocus(next: Focus | null) {
      rebuild(next);
    },
    dispose() {
      observer.disconnect();
      controls.dispose();
      mesh?.geometry.dispose();
      material.dispose();
      renderer.dispose();
      renderer.domElement.remove();
    },
  };
}
