// Upload of a scan file to a visit: drop it on the zone or choose it with the file control (the
// keyboard way); the upload's bytes, then the analysis job's stage and progress, are shown as they
// go. A file the server refuses shows the server's own sentence.
import { useEffect, useRef, useState } from 'preact/hooks';

import { apiPath, call, uploadFile, type Ok, type Schemas } from '../api/client';
import { t } from '../i18n';
import { href } from '../router';
import { ErrorNotice, ProgressBar, useId } from './ui';

type Job = Schemas['Job'];

// Polls GET /jobs/{id} until the job is done or failed.
export function useJob(jobId: string | undefined, onFinished?: (job: Job) => void): { job?: Job; error?: unknown } {
  const [job, setJob] = useState<Job | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  useEffect(() => {
    if (!jobId) return;
    let live = true;
    let timer = 0;
    const poll = async () => {
      try {
        const current = await call('GET /jobs/{id}', { path: { id: jobId } });
        if (!live) return;
        setJob(current);
        if (current.state === 'done' || current.state === 'failed' || current.state === 'cancelled') {
          finished.current?.(current);
          return;
        }
      } catch (failure) {
        if (!live) return;
        setError(failure);
        return;
      }
      timer = window.setTimeout(poll, 400);
    };
    void poll();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [jobId]);
  return { job, error };
}

export function JobStatus({ job }: { job: Job }) {
  if (job.state === 'failed')
    return (
      <div class="notice notice-error" role="alert">
        {t('upload.analysisFailed', { error: job.error ?? '' })}
      </div>
    );
  if (job.state === 'done') return <p role="status">{t('upload.analysed')}</p>;
  return (
    <ProgressBar
      label={t(job.state === 'queued' ? 'upload.queued' : 'upload.analysing', { stage: job.stage || '…' })}
      value={job.state === 'queued' ? null : job.progress}
    />
  );
}

type Uploaded = Ok<'POST /visits/{id}/scans'>;

export function ScanUpload({ visitId, onUploaded }: { visitId: string; onUploaded?: () => void }) {
  const [dragging, setDragging] = useState(false);
  const [sent, setSent] = useState<{ loaded: number; total: number } | null>(null);
  const [uploaded, setUploaded] = useState<Uploaded | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const inputId = useId('scan-file');
  const unitsId = useId('scan-units');
  const [units, setUnits] = useState<'mm' | 'um' | 'm'>('mm');
  const { job, error: jobError } = useJob(uploaded?.job?.id ?? undefined, () => onUploaded?.());

  const send = async (file: File) => {
    setError(undefined);
    setUploaded(null);
    setSent({ loaded: 0, total: file.size });
    try {
      // Files that do not say their height unit are read in the unit chosen beside the file control.
      const unitless = /\.(csv|xyz|ply|obj|stl)$/i.test(file.name);
      const answer = await uploadFile<Uploaded>(
        apiPath('/visits/{id}/scans', { id: visitId }) + (unitless ? `?units=${units}` : ''),
        file,
        file.name,
        (progress) => setSent(progress),
      ).done;
      setUploaded(answer);
      onUploaded?.();
    } catch (failure) {
      setError(failure);
    } finally {
      setSent(null);
    }
  };

  return (
    <div class="upload">
      <div
        class={'drop-zone' + (dragging ? ' dragging' : '')}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          const file = event.dataTransfer?.files[0];
          if (file) void send(file);
        }}
      >
        <label for={inputId}>{t('upload.label')}</label>
        <input
          id={inputId}
          type="file"
          accept=".x3p,.tif,.tiff,.png,.csv,.ply,.obj,.stl,.xyz,.json"
          disabled={sent !== null}
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            if (file) void send(file);
            event.currentTarget.value = '';
          }}
        />
        <small class="hint">{t('upload.hint')}</small>
        <label for={unitsId}>{t('upload.units')}</label>
        <select
          id={unitsId}
          value={units}
          disabled={sent !== null}
          onChange={(event) => setUnits(event.currentTarget.value as 'mm' | 'um' | 'm')}
        >
          <option value="mm">mm</option>
          <option value="um">µm</option>
          <option value="m">m</option>
        </select>
      </div>
      {sent && <ProgressBar label={t('upload.sending')} value={sent.total ? sent.loaded / sent.total : null} />}
      <ErrorNotice error={error} title={t('upload.refused')} />
      <ErrorNotice error={jobError} />
      {uploaded && (
        <div class="upload-result">
          <p>{t('upload.stored', { file: uploaded.scan.file_name })}</p>
          {job && <JobStatus job={job} />}
          <a href={href.scan(uploaded.scan.id)}>{t('upload.openScan')}</a>
        </div>
      )}
    </div>
  );
}
