/* qcow2 compressed cluster codecs: raw deflate (zlib, 4 KiB window, as
 * qemu-img writes) and zstd frames. Decoders stop once a cluster is full,
 * because the stored length is rounded up to whole sectors. */
#include "block/qcow2.h"

#include <zlib.h>
#include <zstd.h>

/* Returns the compressed length, or 0 when it would not be smaller than
 * out_max (store uncompressed instead), or a negative errno. */
int qcow2_compress(Qcow2State *s, const uint8_t *in, uint32_t in_len, uint8_t *out,
                   uint32_t out_max)
{
    if (s->compression_type == BLOCK_COMPRESSION_ZSTD) {
        size_t n = ZSTD_compress(out, out_max, in, in_len, ZSTD_CLEVEL_DEFAULT);
        if (ZSTD_isError(n))
            return 0; /* typically: output would not be smaller */
        return n < out_max ? (int)n : 0;
    }
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return -ENOMEM;
    z.next_in = (uint8_t *)in;
    z.avail_in = in_len;
    z.next_out = out;
    z.avail_out = out_max;
    int r = deflate(&z, Z_FINISH);
    int ret = (r == Z_STREAM_END) ? (int)(out_max - z.avail_out) : 0;
    deflateEnd(&z);
    if (ret >= (int)out_max)
        ret = 0;
    return ret;
}

int qcow2_decompress(Qcow2State *s, const uint8_t *in, uint32_t in_len, uint8_t *out,
                     uint32_t out_len)
{
    if (s->compression_type == BLOCK_COMPRESSION_ZSTD) {
        ZSTD_DCtx *d = ZSTD_createDCtx();
        if (!d)
            return -ENOMEM;
        ZSTD_inBuffer ib = {in, in_len, 0};
        ZSTD_outBuffer ob = {out, out_len, 0};
        int ret = 0;
        while (ob.pos < ob.size) {
            size_t r = ZSTD_decompressStream(d, &ob, &ib);
            if (ZSTD_isError(r)) {
                ret = -EIO;
                break;
            }
            if (r == 0 && ob.pos < ob.size && ib.pos >= ib.size) {
                ret = -EIO;
                break;
            }
            if (ib.pos >= ib.size && ob.pos < ob.size && r != 0) {
                ret = -EIO;
                break;
            }
        }
        ZSTD_freeDCtx(d);
        return ret;
    }
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -12) != Z_OK)
        return -ENOMEM;
    z.next_in = (uint8_t *)in;
    z.avail_in = in_len;
    z.next_out = out;
    z.avail_out = out_len;
    int r = inflate(&z, Z_FINISH);
    int ret = ((r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && z.avail_out == 0) ? 0 : -EIO;
    inflateEnd(&z);
    return ret;
}
