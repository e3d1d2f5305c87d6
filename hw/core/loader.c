/*
 * Guest image loading (hw/core/loader.h): raw files and ELF executables
 * (System V ABI, ELF-32 and ELF-64 of either byte order), written into an
 * address space with address_space_write_rom so firmware lands in ROM too.
 * Boards call these from their init; every failure is one clear message.
 */
#include "hw/core/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PT_LOAD 1

static bool fail(char **errp, const char *fmt, ...)
{
    if (errp) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(errp, fmt, ap) < 0) {
            *errp = NULL;
        }
        va_end(ap);
    }
    return false;
}

int64_t loader_file_size(const char *path, char **errp)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fail(errp, "could not open '%s': %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(errp, "'%s' is not a regular file", path);
        return -1;
    }
    return st.st_size;
}

/* Reads the whole file; NULL (with *errp) on any error. */
static uint8_t *read_file(const char *path, size_t *len, char **errp)
{
    int64_t size = loader_file_size(path, errp);
    if (size < 0) {
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(errp, "could not open '%s': %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf) {
        close(fd);
        fail(errp, "'%s' is too large to load", path);
        return NULL;
    }
    size_t done = 0;
    while (done < (size_t)size) {
        ssize_t n = read(fd, buf + done, (size_t)size - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fail(errp, "could not read '%s': %s", path, n < 0 ? strerror(errno) : "short file");
            free(buf);
            close(fd);
            return NULL;
        }
        done += (size_t)n;
    }
    close(fd);
    *len = done;
    return buf;
}

bool loader_load_raw(AddressSpace *as, const char *path, uint64_t addr, uint64_t max_size,
                     uint64_t *size, char **errp)
{
    size_t len;
    int64_t fsize = loader_file_size(path, errp);
    if (fsize < 0) {
        return false;
    }
    if ((uint64_t)fsize > max_size) {
        return fail(errp, "'%s' is too large (%" PRId64 " bytes, at most %" PRIu64 " fit)", path,
                    fsize, max_size);
    }
    uint8_t *buf = read_file(path, &len, errp);
    if (!buf) {
        return false;
    }
    MemTxResult r = address_space_write_rom(as, addr, buf, len);
    free(buf);
    if (r != MEMTX_OK) {
        return fail(errp, "'%s' does not fit in guest memory at 0x%" PRIx64, path, addr);
    }
    if (size) {
        *size = len;
    }
    return true;
}

static uint64_t get(const uint8_t *p, int size, bool be)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++) {
        v |= (uint64_t)p[be ? size - 1 - i : i] << (8 * i);
    }
    return v;
}

typedef struct Segment {
    uint64_t offset, paddr, filesz, memsz;
} Segment;

static bool range_mapped(AddressSpace *as, uint64_t addr, uint64_t len)
{
    if (len == 0) {
        return true;
    }
    if (addr + len - 1 < addr) {
        return false;
    }
    return address_space_lookup(as, addr).mr && address_space_lookup(as, addr + len - 1).mr;
}

bool loader_load_elf(AddressSpace *as, const char *path,
                     uint64_t (*translate)(void *opaque, uint64_t addr), void *opaque,
                     LoadedElf *out, char **errp)
{
    size_t len;
    uint8_t *f = read_file(path, &len, errp);
    if (!f) {
        return false;
    }
    bool ok = loader_load_elf_buffer(as, f, len, path, translate, opaque, out, errp);
    free(f);
    return ok;
}

bool loader_load_elf_buffer(AddressSpace *as, const void *data, size_t len, const char *path,
                            uint64_t (*translate)(void *opaque, uint64_t addr), void *opaque,
                            LoadedElf *out, char **errp)
{
    const uint8_t *f = data;
    bool ok = false;
    Segment *segs = NULL;
    if (len < 52 || memcmp(f, "\177ELF", 4) != 0) {
        fail(errp, "'%s' is not an ELF file", path);
        goto out;
    }
    bool is64 = f[4] == 2, be = f[5] == 2;
    if ((f[4] != 1 && f[4] != 2) || (f[5] != 1 && f[5] != 2)) {
        fail(errp, "'%s': unknown ELF class or byte order", path);
        goto out;
    }
    if (is64 && len < 64) {
        fail(errp, "'%s': truncated ELF header", path);
        goto out;
    }
    uint16_t type = (uint16_t)get(f + 16, 2, be);
    uint16_t machine = (uint16_t)get(f + 18, 2, be);
    uint64_t entry = is64 ? get(f + 24, 8, be) : get(f + 24, 4, be);
    uint64_t phoff = is64 ? get(f + 32, 8, be) : get(f + 28, 4, be);
    unsigned phentsize = (unsigned)get(f + (is64 ? 54 : 42), 2, be);
    unsigned phnum = (unsigned)get(f + (is64 ? 56 : 44), 2, be);
    if (type != 2 && type != 3) {
        fail(errp, "'%s' is not an ELF executable", path);
        goto out;
    }
    if (phentsize != (is64 ? 56u : 32u) || phnum == 0 || phoff > len ||
        (uint64_t)phnum * phentsize > len - phoff) {
        fail(errp, "'%s': bad ELF program headers", path);
        goto out;
    }
    segs = calloc(phnum, sizeof(*segs));
    if (!segs) {
        abort();
    }
    unsigned nseg = 0;
    uint64_t low = UINT64_MAX, high = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + (uint64_t)i * phentsize;
        if (get(ph, 4, be) != PT_LOAD) {
            continue;
        }
        Segment s;
        if (is64) {
            s.offset = get(ph + 8, 8, be);
            s.paddr = get(ph + 24, 8, be);
            s.filesz = get(ph + 32, 8, be);
            s.memsz = get(ph + 40, 8, be);
        } else {
            s.offset = get(ph + 4, 4, be);
            s.paddr = get(ph + 12, 4, be);
            s.filesz = get(ph + 16, 4, be);
            s.memsz = get(ph + 20, 4, be);
        }
        if (s.offset > len || s.filesz > len - s.offset || s.filesz > s.memsz) {
            fail(errp, "'%s': ELF segment %u lies outside the file", path, i);
            goto out;
        }
        if (translate) {
            s.paddr = translate(opaque, s.paddr);
        }
        if (s.memsz && !range_mapped(as, s.paddr, s.memsz)) {
            fail(errp, "'%s': ELF segment %u (0x%" PRIx64 "-0x%" PRIx64 ") is outside guest memory",
                 path, i, s.paddr, s.paddr + s.memsz - 1);
            goto out;
        }
        if (s.memsz) {
            low = s.paddr < low ? s.paddr : low;
            high = s.paddr + s.memsz > high ? s.paddr + s.memsz : high;
        }
        segs[nseg++] = s;
    }
    if (nseg == 0 || low == UINT64_MAX) {
        fail(errp, "'%s' has no loadable segments", path);
        goto out;
    }
    static const uint8_t zeros[4096];
    for (unsigned i = 0; i < nseg; i++) {
        Segment *s = &segs[i];
        address_space_write_rom(as, s->paddr, f + s->offset, s->filesz);
        for (uint64_t z = s->filesz; z < s->memsz;) {
            uint64_t n = s->memsz - z < sizeof(zeros) ? s->memsz - z : sizeof(zeros);
            address_space_write_rom(as, s->paddr + z, zeros, n);
            z += n;
        }
    }
    if (out) {
        *out = (LoadedElf){
            .entry = entry,
            .low = low,
            .high = high,
            .machine = machine,
            .is_64bit = is64,
            .big_endian = be,
        };
    }
    ok = true;
out:
    free(segs);
    return ok;
}
