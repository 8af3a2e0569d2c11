import { SUPPORTED_APIS } from '../apiKeys.js';
import type { Writer } from '../protocol/Writer.js';
import { defineApi } from './Api.js';

interface ApiVersionsResponse {
  errorCode: number;
}

/**
 * Writes an ApiVersions response body: the error code and every API with its version range;
 * v1+ adds the throttle time, v3 is flexible (compact array, tagged fields). Kafka answers a
 * request of a version it does not know with this body in v0 and UNSUPPORTED_VERSION, so that
 * the client can retry with a version both know (KIP-511).
 * @internal
 */
export function writeApiVersions(w: Writer, errorCode: number, version: number): void {
  w.int16(errorCode);
  if (version >= 3) {
    w.compactArray(SUPPORTED_APIS, (w, api) => w.int16(api.key).int16(api.minVersion).int16(api.maxVersion).taggedFields());
  } else {
    w.array(SUPPORTED_APIS, (w, api) => w.int16(api.key).int16(api.minVersion).int16(api.maxVersion));
  }
  if (version >= 1) w.int32(0);
  if (version >= 3) w.taggedFields();
}

/** ApiVersions (key 18) v0–v3; v3's request names the client software. @internal */
export const apiVersions = defineApi<null, ApiVersionsResponse>({
  name: 'ApiVersions',
  decode(r, version) {
    if (version >= 3) {
      r.compactString(); // client_software_name
      r.compactString(); // client_software_version
      r.taggedFields();
    }
    return null;
  },
  handle: () => ({ errorCode: 0 }),
  encode: (w, res, version) => writeApiVersions(w, res.errorCode, version),
  fail: (_broker, _req, errorCode) => ({ errorCode }),
});
