// The library's result documents as the API carries them inside records (the OpenAPI document
// describes them only as "document"): the Analysis, Plan and Follow-up JSON of DESIGN.md, and the
// progress series. Only the fields the UI reads are listed; readers tolerate absent ones.

export type ScarType = 'ice_pick' | 'boxcar' | 'rolling' | 'hypertrophic';
export const SCAR_TYPES: ScarType[] = ['ice_pick', 'boxcar', 'rolling', 'hypertrophic'];
export type GradeBasis = '3d_only' | 'clinician_only' | '3d_plus_clinician';

export interface Scar {
  id: number;
  type: ScarType;
  confidence?: number;
  reason?: string;
  centroid_mm: [number, number];
  area_mm2?: number;
  diameter_mm?: number;
  major_mm?: number;
  minor_mm?: number;
  depth_um?: number | null;
  height_um?: number | null;
  depth_is_lower_bound?: boolean;
  mean_depth_um?: number;
  volume_mm3?: number | null;
  wall_slope_deg?: number;
  profile?: string;
  outline_mm?: [number, number][];
  // Manual mode: what the clinician marked.
  depth_class?: 'shallow' | 'deep';
  stretch_flattens?: boolean | null;
}

export interface Grade {
  value: number | string | null;
  basis: GradeBasis;
  coverage_cm2?: number;
  missing_inputs?: string[];
  label?: string;
  level?: string;
  maximum?: number;
  citation?: string;
}

export interface Analysis {
  scan?: {
    file?: string;
    format?: string;
    nx: number;
    ny: number;
    dx_um: number;
    dy_um: number;
    valid_fraction?: number;
  };
  scars: Scar[];
  counts?: Partial<Record<ScarType, number>>;
  coverage_cm2?: number;
  grades?: Partial<Record<'goodman_baron_quantitative' | 'goodman_baron_qualitative' | 'ecca', Grade>>;
  basis?: GradeBasis;
  notes?: string[];
}

export interface Evidence {
  citation: string;
  kind: 'rct' | 'review' | 'consensus' | 'series' | 'expert' | 'low_authority';
  confirmed: boolean;
}

export interface PlanItem {
  modality: string;
  target_scar_ids: number[];
  sessions: [number, number];
  interval_weeks: [number, number];
  downtime_days?: [number, number] | null;
  expected_improvement_pct?: [number, number] | null;
  evidence: Evidence[];
  notes?: string;
}

export interface PlanStage {
  id: string;
  order: number;
  goal: string;
  items: PlanItem[];
}

export interface PlanDocument {
  date?: string;
  basis?: GradeBasis;
  region?: string;
  proposal?: boolean;
  status?: string;
  notice?: string;
  stages: PlanStage[];
  schedule?: { date: string; modality: string; session: number; target_scar_ids: number[] }[];
  excluded?: { modality: string; reason: string; rule: string }[];
  warnings?: { id: string; text: string }[];
  referrals?: { id?: string; text?: string; reason?: string }[];
  reasons?: string[];
  rules_fired?: { rule: string; title: string; why: string[]; evidence: Evidence[] }[];
  expected_improvement_pct?: [number, number] | null;
  severity?: { basis?: GradeBasis; goodman_baron_qualitative?: string };
  deferred?: boolean;
}

export type ChangeStatus = 'improved' | 'stable' | 'worse' | 'new' | 'resolved' | 'not_found';

export interface ScarChange {
  baseline_id: number | null;
  followup_id: number | null;
  volume_mm3?: [number | null, number | null];
  volume_change_pct?: number | null;
  volume_mdc_mm3?: number | null;
  depth_um?: [number | null, number | null];
  depth_change_pct?: number | null;
  depth_mdc_um?: number | null;
  status: ChangeStatus;
}

export interface FollowupDocument {
  registration?: { shift_mm: [number, number]; rotation_deg: number; overlap_fraction?: number; residual_um?: number };
  scars: ScarChange[];
  global?: {
    volume_change_pct?: number | null;
    volume_mdc_mm3?: number | null;
    count_baseline?: number;
    count_followup?: number;
    volume_mm3?: [number | null, number | null];
    status?: string;
  };
}

export interface TrajectoryPoint {
  visit: number;
  scan_scar_id: number | null;
  volume_mm3: number | null;
  volume_change_pct: number | null;
  volume_mdc_mm3: number | null;
  depth_um: number | null;
  status: string;
}

export interface ProgressDocument {
  visits: { visit: number; file?: string; count?: number; date?: string; scan_id?: string }[];
  scars: { id: number; baseline_id: number | null; type: string; trajectory: TrajectoryPoint[] }[];
  comparisons: FollowupDocument[];
}
