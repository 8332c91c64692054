// Pure: the `qemu-img create -o` options a volume's XML asks for, checked and ordered the way
// libvirt 9.0 builds them (seen side by side: `qemu-img create -f qcow2 -b /dev/null -o
// backing_fmt=raw,compat=1.1,lazy_refcounts PATH 5242880K`). Which options a qemu-img series
// knows is the series' word (QemuImgImageSupport, declared in its scriptlets), never a version
// comparison here.
import type { ImageOptions, Preallocation } from '../../runner/contracts/generated.js';

export interface QemuImgImageSupport {
  /** qcow2 `extended_l2` (subcluster allocation; QEMU 5.2). */
  extendedL2: boolean;
}

export interface ImageRequest {
  format: string;
  image?: ImageOptions | undefined;
  preallocate?: Preallocation | undefined;
  hasBacking: boolean;
}

/** qcow2's cluster sizes: a power of two from 512 bytes to 2 MiB (QEMU docs/interop/qcow2.txt). */
function clusterSizeProblem(n: number): string | null {
  if (n < 512 || n > 2 * 1024 * 1024 || (n & (n - 1)) !== 0) return `cluster size ${n} is not a power of two from 512 bytes to 2 MiB`;
  return null;
}

/**
 * The `-o` list (empty when nothing is asked), or a reason the request cannot be made. The
 * reasons are libvirt's (lazy_refcounts with compat 0.10, metadata preallocation with a backing
 * store) or qemu-img's (extended_l2 needs compat 1.1).
 */
export function imageOptions(s: QemuImgImageSupport, r: ImageRequest): { ok: true; value: string[] } | { ok: false; code: 'INVALID_ARGUMENT' | 'UNSUPPORTED'; message: string } {
  const img = r.image ?? {};
  const qcow2 = r.format === 'qcow2';
  const features = img.features ?? [];
  const bad = (message: string) => ({ ok: false as const, code: 'INVALID_ARGUMENT' as const, message });
  if (!qcow2 && (img.compat !== undefined || features.length || img.clusterSize !== undefined)) {
    return bad(`compat, features and clusterSize apply to qcow2 volumes, not ${r.format}`);
  }
  // libvirt: <features> without <compat> means compat 1.1.
  const compat = img.compat ?? (features.length ? '1.1' : undefined);
  if (compat === '0.10' && features.includes('lazy_refcounts')) return bad('lazy_refcounts not supported with compat level 0.10');
  if (compat === '0.10' && features.includes('extended_l2')) return bad('extended_l2 not supported with compat level 0.10');
  if (features.includes('extended_l2') && !s.extendedL2) {
    return { ok: false, code: 'UNSUPPORTED', message: 'extended_l2 is not offered by this qemu-img series (QEMU 5.2 added it)' };
  }
  if (img.clusterSize !== undefined) {
    const p = clusterSizeProblem(img.clusterSize);
    if (p) return bad(p);
  }
  if (r.preallocate !== undefined) {
    if (!qcow2) return bad(`preallocation ${r.preallocate} is offered for qcow2 volumes (a raw volume is allocated by its <allocation>)`);
    if (r.hasBacking) return bad('metadata preallocation conflicts with backing store');
  }
  const out: string[] = [];
  if (r.preallocate !== undefined) out.push(`preallocation=${r.preallocate}`);
  if (img.nocow) out.push('nocow=on');
  if (compat !== undefined) out.push(`compat=${compat}`);
  if (img.clusterSize !== undefined) out.push(`cluster_size=${img.clusterSize}`);
  // libvirt's feature order (lazy_refcounts, then extended_l2); lazy_refcounts as a bare key, as libvirt writes it.
  if (features.includes('lazy_refcounts')) out.push('lazy_refcounts');
  if (features.includes('extended_l2')) out.push('extended_l2=on');
  return { ok: true, value: out };
}
