import type { PoolType } from '../contracts/generated.js';
import type { OperationName } from '../scriptlet/api.js';

/**
 * A pool type's table of operations, as in libvirt's storage backends: for each operation, the
 * tool whose scriptlets implement it. A missing entry means the type does not offer it
 * (UNSUPPORTED). Versions are not named here: the probed version picks the scriptlet.
 */
export interface Backend {
  type: PoolType;
  /** Pools of this type keep volumes as files under target.path (fs API available). */
  fileTarget: boolean;
  /**
   * Volumes are entries of one on-disk table (a partition table): creating, resizing or deleting
   * one rewrites the table, so those changes hold the whole pool (a second one gets CONFLICT)
   * instead of only their volume.
   */
  sharedTable?: boolean;
  ops: Partial<Record<OperationName, string>>;
  /**
   * What needs the kernel's device-mapper (checked by the probe: /dev/mapper/control). On a host
   * without it these are listed as unavailable by agent.capabilities, and the scriptlets answer
   * UNSUPPORTED saying why; everything else is still offered.
   */
  needsDeviceMapper?: Partial<Record<OperationName | `${OperationName} (${string})`, string>>;
}
