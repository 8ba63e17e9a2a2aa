// The published scales as ScarScope computes them: each grade says what it rests on. From a scan
// they are an "estimate from 3D scan" unless a clinician supplied the inputs a scan cannot see;
// from marks on a photograph they are a clinician's estimate, not a measurement (DESIGN.md).
import type { Analysis, Grade, GradeBasis } from '../api/documents';
import { formatNumber, t } from '../i18n';
import { label } from '../labels';

export function basisLabel(basis: GradeBasis | undefined, coverage?: number): string {
  if (basis === 'clinician_only') return t('grades.basis.clinician_only');
  if (basis === '3d_plus_clinician') return t('grades.basis.3d_plus_clinician');
  return coverage ? t('grades.basis.3d_only_area', { area: formatNumber(coverage, 1) }) : t('grades.basis.3d_only');
}

const SCALES = ['goodman_baron_qualitative', 'goodman_baron_quantitative', 'ecca'] as const;

export function Grades({ grades }: { grades: Analysis['grades'] }) {
  if (!grades) return <p>{t('grades.none')}</p>;
  return (
    <div class="grades">
      {SCALES.map((scale) => {
        const grade: Grade | undefined = grades[scale];
        if (!grade) return null;
        return (
          <div class="grade" key={scale}>
            <div>{t(`grades.${scale}`)}</div>
            <div class="value">
              {grade.value ?? '–'}
              {grade.maximum ? <small> / {grade.maximum}</small> : null}
            </div>
            <div class="badge badge-estimate">{basisLabel(grade.basis, grade.coverage_cm2)}</div>
            {grade.missing_inputs && grade.missing_inputs.length > 0 && (
              <p class="hint">
                {t('grades.missing', { inputs: grade.missing_inputs.map((name) => label('gradeInput', name)).join(', ') })}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
