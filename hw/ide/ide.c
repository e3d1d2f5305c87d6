/*
 * ATA disk and IDE channel (hw/ide/ide.h), after the ATA/ATAPI-6 command set:
 * the task file shared by both devices of a channel, PIO data-in/data-out
 * protocols in DRQ blocks of one sector (or the multiple count), and the
 * non-data commands Linux's libata issues. Reads and writes run through the
 * block layer's pool and complete on the main loop, with BSY set meanwhile.
 */
#include "hw/ide/ide.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define SECTOR_SIZE      512
#define BUF_SECTORS      128 /* sectors read ahead per block-layer request */
#define MAX_MULT_SECTORS 16

/* Status bits. */
#define ST_BSY  0x80
#define ST_DRDY 0x40
#define ST_DSC  0x10
#define ST_DRQ  0x08
#define ST_ERR  0x01
/* Error bits. */
#define ER_ABRT 0x04
#define ER_IDNF 0x10
#define ER_UNC  0x40
/* Device control. */
#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB  0x80

typedef enum { XFER_NONE, XFER_IN, XFER_OUT } XferDir;

typedef struct IDEDrive {
    IDEChannel *ch;
    Drive *drive; /* NULL: no device */
    int unit;
    uint64_t nsectors;
    uint16_t cyls;
    uint8_t status, error;
    int mult; /* sectors per DRQ block for READ/WRITE MULTIPLE, 0 = disabled */
    bool write_cache;
    /* The transfer in progress. */
    XferDir dir;
    uint8_t *buf;
    uint32_t pos, block_end; /* guest's position in buf, end of the DRQ block */
    uint32_t valid;          /* bytes of buf read from the disk */
    uint64_t lba;            /* next sector to read from / write to the disk */
    uint32_t remaining;      /* sectors the guest has yet to transfer */
    uint32_t drq_sectors;    /* sectors per DRQ block */
    uint32_t block_sectors;  /* sectors in the current DRQ block */
    unsigned generation;     /* bumped by reset: stale completions are dropped */
} IDEDrive;

struct IDEChannel {
    Device dev;
    IDEDrive drv[2];
    int cur;
    /* The task file, written to both devices; hob_* is the previous
     * content of each register (LBA48 high-order bytes). */
    uint8_t feature, nsector, sector, lcyl, hcyl, select;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t devctl;
    bool irq_pending;
    qemu_irq irq;
};

struct IDEController {
    PCIDevice pci;
    IDEChannel *ch[2];
};

typedef struct IDERequest {
    IDEDrive *d;
    unsigned generation;
    uint32_t sectors;
} IDERequest;

static void ide_update_irq(IDEChannel *ch)
{
    irq_set(ch->irq, ch->irq_pending && !(ch->devctl & CTL_NIEN));
}

static void ide_raise(IDEChannel *ch)
{
    ch->irq_pending = true;
    ide_update_irq(ch);
}

static void ide_set_signature(IDEDrive *d)
{
    IDEChannel *ch = d->ch;
    ch->nsector = 1;
    ch->sector = 1;
    ch->lcyl = 0;
    ch->hcyl = 0;
    ch->select = 0;
}

static void ide_drive_reset(IDEDrive *d)
{
    d->generation++;
    d->dir = XFER_NONE;
    d->mult = 0;
    d->write_cache = true;
    d->error = 0x01; /* diagnostic: device passed */
    d->status = d->drive ? ST_DRDY | ST_DSC : 0;
}

/* ---- completion helpers ------------------------------------------------- */

static void ide_cmd_ok(IDEDrive *d)
{
    d->dir = XFER_NONE;
    d->status = ST_DRDY | ST_DSC;
    ide_raise(d->ch);
}

static void ide_cmd_error(IDEDrive *d, uint8_t error)
{
    d->dir = XFER_NONE;
    d->error = error;
    d->status = ST_DRDY | ST_DSC | ST_ERR;
    ide_raise(d->ch);
}

/* ---- IDENTIFY ----------------------------------------------------------- */

static void ide_put_string(uint16_t *words, int first, int nwords, const char *s)
{
    size_t len = strlen(s);
    for (int i = 0; i < nwords * 2; i++) {
        char c = (size_t)i < len ? s[i] : ' ';
        /* ATA strings hold the first character of each pair in the high byte. */
        if (i & 1) {
            words[first + i / 2] |= (uint8_t)c;
        } else {
            words[first + i / 2] = (uint16_t)((uint8_t)c << 8);
        }
    }
}

static void ide_fill_identify(IDEDrive *d, uint16_t *w)
{
    uint64_t n = d->nsectors;
    uint32_t chs_total = (uint32_t)d->cyls * 16 * 63;
    uint32_t lba28 = n > 0x0fffffff ? 0x0fffffff : (uint32_t)n;
    char serial[24];

    memset(w, 0, 512);
    w[0] = 0x0040; /* fixed ATA device */
    w[1] = d->cyls;
    w[3] = 16;
    w[6] = 63;
    snprintf(serial, sizeof(serial), "MIMIC%05d", d->unit + 1);
    ide_put_string(w, 10, 10, serial);
    ide_put_string(w, 23, 4, "0.1");
    ide_put_string(w, 27, 20, "MIMIC HARDDISK");
    w[47] = 0x8000 | MAX_MULT_SECTORS;
    w[49] = 1 << 9; /* LBA */
    w[50] = 0x4000;
    w[51] = 0x0200;
    w[53] = 0x0007; /* words 54-58, 64-70 and 88 are valid */
    w[54] = d->cyls;
    w[55] = 16;
    w[56] = 63;
    w[57] = chs_total & 0xffff;
    w[58] = chs_total >> 16;
    w[59] = d->mult ? 0x100 | d->mult : 0;
    w[60] = lba28 & 0xffff;
    w[61] = lba28 >> 16;
    w[64] = 0x0003; /* PIO modes 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x00f0;                                     /* ATA-4 .. ATA-7 */
    w[82] = (1 << 14) | (1 << 5);                       /* NOP, write cache */
    w[83] = 0x4000 | (1 << 13) | (1 << 12) | (1 << 10); /* flush ext, flush, LBA48 */
    w[84] = 0x4000;
    w[85] = (1 << 14) | (d->write_cache ? 1 << 5 : 0);
    w[86] = (1 << 13) | (1 << 12) | (1 << 10);
    w[87] = 0x4000;
    w[100] = n & 0xffff;
    w[101] = (n >> 16) & 0xffff;
    w[102] = (n >> 32) & 0xffff;
    w[103] = (n >> 48) & 0xffff;
}

/* ---- PIO data transfers ------------------------------------------------- */

static void ide_begin_block_in(IDEDrive *d)
{
    d->block_sectors = MIN(d->drq_sectors, d->remaining);
    d->block_end = d->pos + d->block_sectors * SECTOR_SIZE;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_raise(d->ch);
}

static void ide_read_done(void *opaque, int ret)
{
    IDERequest *req = opaque;
    IDEDrive *d = req->d;
    if (req->generation == d->generation) {
        if (ret < 0) {
            ide_cmd_error(d, ER_ABRT | ER_UNC);
        } else {
            d->valid = req->sectors * SECTOR_SIZE;
            d->lba += req->sectors;
            d->pos = 0;
            ide_begin_block_in(d);
        }
    }
    g_free(req);
}

/* Reads the next run of sectors for the guest into the buffer. */
static void ide_read_chunk(IDEDrive *d)
{
    IDERequest *req = g_new0(IDERequest, 1);
    req->d = d;
    req->generation = d->generation;
    req->sectors = MIN(d->remaining, BUF_SECTORS);
    d->status = ST_BSY | ST_DRDY;
    block_aio_submit(d->drive->bs, BLOCK_AIO_READ, d->lba * SECTOR_SIZE, d->buf,
                     (uint64_t)req->sectors * SECTOR_SIZE, ide_read_done, req);
}

static void ide_begin_block_out(IDEDrive *d, bool irq)
{
    d->block_sectors = MIN(d->drq_sectors, d->remaining);
    d->pos = 0;
    d->block_end = d->block_sectors * SECTOR_SIZE;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    if (irq) {
        ide_raise(d->ch);
    }
}

static void ide_write_done(void *opaque, int ret)
{
    IDERequest *req = opaque;
    IDEDrive *d = req->d;
    if (req->generation == d->generation) {
        if (ret < 0) {
            ide_cmd_error(d, ER_ABRT);
        } else {
            d->lba += req->sectors;
            d->remaining -= req->sectors;
            if (d->remaining) {
                ide_begin_block_out(d, true);
            } else {
                ide_cmd_ok(d);
            }
        }
    }
    g_free(req);
}

static void ide_flush_done(void *opaque, int ret)
{
    IDERequest *req = opaque;
    if (req->generation == req->d->generation) {
        if (ret < 0) {
            ide_cmd_error(req->d, ER_ABRT);
        } else {
            ide_cmd_ok(req->d);
        }
    }
    g_free(req);
}

/* The guest finished a DRQ block of the transfer. */
static void ide_block_done(IDEDrive *d)
{
    if (d->dir == XFER_IN) {
        d->remaining -= d->block_sectors;
        if (!d->remaining) {
            d->dir = XFER_NONE;
            d->status = ST_DRDY | ST_DSC;
        } else if (d->pos < d->valid) {
            ide_begin_block_in(d);
        } else {
            ide_read_chunk(d);
        }
        return;
    }
    IDERequest *req = g_new0(IDERequest, 1);
    req->d = d;
    req->generation = d->generation;
    req->sectors = d->block_sectors;
    d->status = ST_BSY | ST_DRDY;
    block_aio_submit(d->drive->bs, BLOCK_AIO_WRITE, d->lba * SECTOR_SIZE, d->buf,
                     (uint64_t)req->sectors * SECTOR_SIZE, ide_write_done, req);
}

static uint16_t ide_data_read16(IDEChannel *ch)
{
    IDEDrive *d = &ch->drv[ch->cur];
    if (!(d->status & ST_DRQ) || d->dir != XFER_IN) {
        return 0xffff;
    }
    uint16_t v = d->buf[d->pos] | (d->buf[d->pos + 1] << 8);
    d->pos += 2;
    if (d->pos >= d->block_end) {
        ide_block_done(d);
    }
    return v;
}

static void ide_data_write16(IDEChannel *ch, uint16_t v)
{
    IDEDrive *d = &ch->drv[ch->cur];
    if (!(d->status & ST_DRQ) || d->dir != XFER_OUT) {
        return;
    }
    d->buf[d->pos] = v;
    d->buf[d->pos + 1] = v >> 8;
    d->pos += 2;
    if (d->pos >= d->block_end) {
        ide_block_done(d);
    }
}

/* ---- commands ----------------------------------------------------------- */

/* The command's starting sector and count; false for an address the disk
 * does not have. */
static bool ide_get_range(IDEChannel *ch, IDEDrive *d, bool lba48, uint64_t *lba, uint32_t *count)
{
    if (lba48) {
        *lba = ((uint64_t)ch->hob_hcyl << 40) | ((uint64_t)ch->hob_lcyl << 32) |
               ((uint64_t)ch->hob_sector << 24) | ((uint64_t)ch->hcyl << 16) |
               ((uint64_t)ch->lcyl << 8) | ch->sector;
        *count = (ch->hob_nsector << 8) | ch->nsector;
        if (!*count) {
            *count = 65536;
        }
    } else {
        if (ch->select & 0x40) {
            *lba = ((uint64_t)(ch->select & 0x0f) << 24) | ((uint64_t)ch->hcyl << 16) |
                   ((uint64_t)ch->lcyl << 8) | ch->sector;
        } else {
            /* CHS with the default translation of 16 heads, 63 sectors. */
            uint32_t cyl = (ch->hcyl << 8) | ch->lcyl, head = ch->select & 0x0f;
            if (ch->sector == 0 || ch->sector > 63) {
                return false;
            }
            *lba = ((uint64_t)cyl * 16 + head) * 63 + ch->sector - 1;
        }
        *count = ch->nsector ? ch->nsector : 256;
    }
    return *lba + *count <= d->nsectors;
}

static void ide_start_rw(IDEChannel *ch, IDEDrive *d, bool write, bool lba48, bool multiple)
{
    uint64_t lba;
    uint32_t count;
    if (multiple && !d->mult) {
        ide_cmd_error(d, ER_ABRT);
        return;
    }
    if (!ide_get_range(ch, d, lba48, &lba, &count)) {
        ide_cmd_error(d, ER_ABRT | ER_IDNF);
        return;
    }
    if (write && d->drive->opts.readonly) {
        ide_cmd_error(d, ER_ABRT);
        return;
    }
    d->lba = lba;
    d->remaining = count;
    d->drq_sectors = multiple ? d->mult : 1;
    d->pos = d->valid = 0;
    if (write) {
        d->dir = XFER_OUT;
        ide_begin_block_out(d, false);
    } else {
        d->dir = XFER_IN;
        ide_read_chunk(d);
    }
}

static void ide_exec_cmd(IDEChannel *ch, IDEDrive *d, uint8_t cmd)
{
    d->error = 0;
    switch (cmd) {
    case 0xec: /* IDENTIFY DEVICE */
        ide_fill_identify(d, (uint16_t *)d->buf);
        for (int i = 0; i < 256; i++) {
            /* The words go out little-endian through the data port. */
            uint16_t w = ((uint16_t *)d->buf)[i];
            d->buf[2 * i] = w;
            d->buf[2 * i + 1] = w >> 8;
        }
        d->dir = XFER_IN;
        d->remaining = 1;
        d->drq_sectors = 1;
        d->pos = 0;
        d->valid = SECTOR_SIZE;
        ide_begin_block_in(d);
        break;
    case 0x20:
    case 0x21: ide_start_rw(ch, d, false, false, false); break;
    case 0x24: ide_start_rw(ch, d, false, true, false); break;
    case 0xc4: ide_start_rw(ch, d, false, false, true); break;
    case 0x29: ide_start_rw(ch, d, false, true, true); break;
    case 0x30:
    case 0x31: ide_start_rw(ch, d, true, false, false); break;
    case 0x34: ide_start_rw(ch, d, true, true, false); break;
    case 0xc5: ide_start_rw(ch, d, true, false, true); break;
    case 0x39: ide_start_rw(ch, d, true, true, true); break;
    case 0x40:
    case 0x41:
    case 0x42: { /* READ VERIFY SECTOR(S) [EXT] */
        uint64_t lba;
        uint32_t count;
        if (ide_get_range(ch, d, cmd == 0x42, &lba, &count)) {
            ide_cmd_ok(d);
        } else {
            ide_cmd_error(d, ER_ABRT | ER_IDNF);
        }
        break;
    }
    case 0xc6: /* SET MULTIPLE MODE */
        if (ch->nsector <= MAX_MULT_SECTORS && (ch->nsector & (ch->nsector - 1)) == 0) {
            d->mult = ch->nsector;
            ide_cmd_ok(d);
        } else {
            ide_cmd_error(d, ER_ABRT);
        }
        break;
    case 0xef: /* SET FEATURES */
        switch (ch->feature) {
        case 0x02: d->write_cache = true; break;
        case 0x82: d->write_cache = false; break;
        case 0x03: /* transfer mode */
        case 0x55:
        case 0xaa:
        case 0x66:
        case 0xcc: break;
        default: ide_cmd_error(d, ER_ABRT); return;
        }
        ide_cmd_ok(d);
        break;
    case 0xe7:
    case 0xea: { /* FLUSH CACHE [EXT] */
        IDERequest *req = g_new0(IDERequest, 1);
        req->d = d;
        req->generation = d->generation;
        d->status = ST_BSY | ST_DRDY;
        block_aio_submit(d->drive->bs, BLOCK_AIO_FLUSH, 0, NULL, 0, ide_flush_done, req);
        break;
    }
    case 0xf8: { /* READ NATIVE MAX ADDRESS */
        uint64_t max = MIN(d->nsectors, 0x10000000ull) - 1;
        ch->sector = max;
        ch->lcyl = max >> 8;
        ch->hcyl = max >> 16;
        ch->select = (ch->select & 0xf0) | ((max >> 24) & 0x0f);
        ide_cmd_ok(d);
        break;
    }
    case 0x27: { /* READ NATIVE MAX ADDRESS EXT */
        uint64_t max = d->nsectors - 1;
        ch->sector = max;
        ch->lcyl = max >> 8;
        ch->hcyl = max >> 16;
        ch->hob_sector = max >> 24;
        ch->hob_lcyl = max >> 32;
        ch->hob_hcyl = max >> 40;
        ide_cmd_ok(d);
        break;
    }
    case 0x90: /* EXECUTE DEVICE DIAGNOSTIC */
        ide_set_signature(d);
        for (int i = 0; i < 2; i++) {
            ch->drv[i].error = 0x01;
        }
        ch->cur = 0;
        ide_cmd_ok(&ch->drv[0]);
        break;
    case 0x91: /* INITIALIZE DEVICE PARAMETERS */
    case 0x70: /* SEEK */
    case 0xe0:
    case 0xe1:
    case 0xe2: /* STANDBY IMMEDIATE, IDLE IMMEDIATE, STANDBY */
    case 0xe3:
    case 0xe6: /* IDLE, SLEEP */ ide_cmd_ok(d); break;
    case 0xe5: /* CHECK POWER MODE: active */
        ch->nsector = 0xff;
        ide_cmd_ok(d);
        break;
    default:
        if (cmd >= 0x10 && cmd <= 0x1f) { /* RECALIBRATE */
            ide_cmd_ok(d);
            break;
        }
        hw_log_unimp("ide: command 0x%02x not supported\n", cmd);
        ide_cmd_error(d, ER_ABRT);
        break;
    }
}

/* ---- registers ---------------------------------------------------------- */

static bool ide_channel_empty(IDEChannel *ch)
{
    return !ch->drv[0].drive && !ch->drv[1].drive;
}

static uint64_t ide_cmd_read(void *opaque, uint64_t addr, unsigned size)
{
    IDEChannel *ch = opaque;
    IDEDrive *d = &ch->drv[ch->cur];
    bool hob = ch->devctl & CTL_HOB;

    if (ide_channel_empty(ch)) {
        return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1; /* floating bus */
    }
    if (addr == 0) {
        uint32_t v = ide_data_read16(ch);
        if (size == 4) {
            v |= (uint32_t)ide_data_read16(ch) << 16;
        }
        return size == 1 ? v & 0xff : v;
    }
    if (!d->drive && addr != 6) {
        return 0; /* the absent device of a channel: the other one drives 0s */
    }
    switch (addr) {
    case 1: return hob ? ch->hob_feature : d->error;
    case 2: return hob ? ch->hob_nsector : ch->nsector;
    case 3: return hob ? ch->hob_sector : ch->sector;
    case 4: return hob ? ch->hob_lcyl : ch->lcyl;
    case 5: return hob ? ch->hob_hcyl : ch->hcyl;
    case 6: return ch->select | 0xa0;
    default: /* 7: status, acknowledges the interrupt */
        ch->irq_pending = false;
        ide_update_irq(ch);
        return d->status;
    }
}

static void ide_cmd_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IDEChannel *ch = opaque;
    IDEDrive *d = &ch->drv[ch->cur];
    uint8_t v = val;

    if (addr == 0) {
        ide_data_write16(ch, val);
        if (size == 4) {
            ide_data_write16(ch, val >> 16);
        }
        return;
    }
    if (addr >= 1 && addr <= 5) {
        ch->devctl &= ~CTL_HOB;
    }
    switch (addr) {
    case 1:
        ch->hob_feature = ch->feature;
        ch->feature = v;
        break;
    case 2:
        ch->hob_nsector = ch->nsector;
        ch->nsector = v;
        break;
    case 3:
        ch->hob_sector = ch->sector;
        ch->sector = v;
        break;
    case 4:
        ch->hob_lcyl = ch->lcyl;
        ch->lcyl = v;
        break;
    case 5:
        ch->hob_hcyl = ch->hcyl;
        ch->hcyl = v;
        break;
    case 6:
        ch->select = v;
        ch->cur = (v >> 4) & 1;
        break;
    case 7:
        if (!d->drive || (d->status & ST_BSY)) {
            return;
        }
        ch->irq_pending = false;
        ide_update_irq(ch);
        ide_exec_cmd(ch, d, v);
        break;
    }
}

static const MemoryRegionOps ide_cmd_ops = {
    .read = ide_cmd_read,
    .write = ide_cmd_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .unaligned = true},
    .impl = {.min_access_size = 1, .max_access_size = 4, .unaligned = true},
};

static uint64_t ide_ctl_read(void *opaque, uint64_t addr, unsigned size)
{
    IDEChannel *ch = opaque;
    if (ide_channel_empty(ch)) {
        return 0xff;
    }
    IDEDrive *d = &ch->drv[ch->cur];
    return d->drive ? d->status : 0; /* alternate status: no acknowledge */
}

static void ide_ctl_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IDEChannel *ch = opaque;
    uint8_t old = ch->devctl;
    ch->devctl = val;
    if ((val & CTL_SRST) && !(old & CTL_SRST)) {
        for (int i = 0; i < 2; i++) {
            ch->drv[i].generation++;
            ch->drv[i].dir = XFER_NONE;
            if (ch->drv[i].drive) {
                ch->drv[i].status = ST_BSY | ST_DSC;
            }
        }
    } else if (!(val & CTL_SRST) && (old & CTL_SRST)) {
        /* Software reset done: both devices show their signature. */
        for (int i = 0; i < 2; i++) {
            int mult = ch->drv[i].mult;
            ide_drive_reset(&ch->drv[i]);
            ch->drv[i].mult = mult;
        }
        ch->cur = 0;
        ch->select = 0;
        ide_set_signature(&ch->drv[0]);
    }
    ide_update_irq(ch);
}

static const MemoryRegionOps ide_ctl_ops = {
    .read = ide_ctl_read,
    .write = ide_ctl_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 1},
};

/* ---- life cycle --------------------------------------------------------- */

static void ide_channel_reset(Device *dev)
{
    IDEChannel *ch = (IDEChannel *)dev;
    for (int i = 0; i < 2; i++) {
        ide_drive_reset(&ch->drv[i]);
    }
    ch->cur = 0;
    ch->devctl = 0;
    ch->feature = ch->hob_feature = 0;
    ch->hob_nsector = ch->hob_sector = ch->hob_lcyl = ch->hob_hcyl = 0;
    ch->select = 0;
    ide_set_signature(&ch->drv[0]);
    ch->irq_pending = false;
    ide_update_irq(ch);
}

static const DeviceOps ide_channel_ops = {
    .type = "ide",
    .reset = ide_channel_reset,
};

IDEChannel *ide_channel_new(MemoryRegion *io, uint64_t cmd_base, uint64_t ctl_base, qemu_irq irq,
                            Drive *master, Drive *slave)
{
    IDEChannel *ch = g_new0(IDEChannel, 1);
    ch->irq = irq;
    Drive *drives[2] = {master, slave};
    for (int i = 0; i < 2; i++) {
        IDEDrive *d = &ch->drv[i];
        d->ch = ch;
        d->unit = i;
        d->drive = drives[i] && drives[i]->bs ? drives[i] : NULL;
        d->buf = g_malloc0(BUF_SECTORS * SECTOR_SIZE);
        if (d->drive) {
            d->nsectors = d->drive->size / SECTOR_SIZE;
            uint64_t cyls = d->nsectors / (16 * 63);
            d->cyls = cyls > 16383 ? 16383 : cyls;
        }
    }
    memory_region_add_subregion(io, cmd_base, memory_region_new_io("ide-cmd", 8, &ide_cmd_ops, ch));
    memory_region_add_subregion(io, ctl_base, memory_region_new_io("ide-ctl", 1, &ide_ctl_ops, ch));
    device_register_auto(&ch->dev, &ide_channel_ops);
    ide_channel_reset(&ch->dev);
    return ch;
}

IDEController *piix4_ide_new(PCIBus *bus, int devfn, MemoryRegion *io, qemu_irq irq14,
                             qemu_irq irq15, Drive *drives[4])
{
    IDEController *c = g_new0(IDEController, 1);
    pci_device_init(&c->pci, bus, "piix4-ide", devfn, 0x8086, 0x7111, 0x010180, 0x01);
    /* IDETIM (primary, secondary): decode enabled, as firmware leaves it. */
    pci_set_word(c->pci.config + 0x40, 0x8000);
    pci_set_word(c->pci.config + 0x42, 0x8000);
    pci_config_set_wmask(&c->pci, 0x40, 0x0c, 0xff); /* IDETIM, SIDETIM, UDMACTL, UDMATIM */
    c->ch[0] = ide_channel_new(io, 0x1f0, 0x3f6, irq14, drives ? drives[0] : NULL,
                               drives ? drives[1] : NULL);
    c->ch[1] = ide_channel_new(io, 0x170, 0x376, irq15, drives ? drives[2] : NULL,
                               drives ? drives[3] : NULL);
    return c;
}
