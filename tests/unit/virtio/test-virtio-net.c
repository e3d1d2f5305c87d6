/*
 * virtio-net over -netdev user (libslirp): the test is the guest, sending raw
 * Ethernet frames (DHCP, ARP, ICMP) and checking the replies; plus the
 * netdev option parser.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "block/block.h"
#include "hw/net/net.h"
#include "system/chardev.h"
#include "system/main-loop.h"
#include "tests/unit/scratch.h"
#include "vdriver.h"

#define F(bit)      (1ull << (bit))
#define RX_BASE     0x500000u
#define TX_BASE     0x600000u
#define RX_BUFS     8
#define RX_BUF_SIZE 2048
#define HDR         12

static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* Ethernet + IPv4 header; returns the offset of the L4 payload. */
static size_t build_ip(uint8_t *f, const uint8_t *dst_mac, uint32_t src, uint32_t dst, int proto,
                       size_t l4_len)
{
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, guest_mac, 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, 20 + l4_len);
    put16(ip + 4, 1);
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, ip_csum(ip, 20));
    return 34;
}

static size_t build_dhcp(uint8_t *f, int type, uint32_t req_ip)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    size_t bootp_len = 300;
    size_t off = build_ip(f, bcast, 0, 0xffffffff, 17, 8 + bootp_len);
    uint8_t *udp = f + off;
    put16(udp, 68);
    put16(udp + 2, 67);
    put16(udp + 4, 8 + bootp_len);
    put16(udp + 6, 0);
    uint8_t *b = udp + 8;
    memset(b, 0, bootp_len);
    b[0] = 1;
    b[1] = 1;
    b[2] = 6;
    put32(b + 4, 0x12345678);
    memcpy(b + 28, guest_mac, 6);
    put32(b + 236, 0x63825363);
    uint8_t *o = b + 240;
    *o++ = 53;
    *o++ = 1;
    *o++ = type;
    if (req_ip) {
        *o++ = 50;
        *o++ = 4;
        put32(o, req_ip);
        o += 4;
        *o++ = 54;
        *o++ = 4;
        put32(o, 0x0a000202);
        o += 4;
    }
    *o++ = 255;
    return off + 8 + bootp_len;
}

typedef struct NetTest {
    VDriver d;
    NetDev *nd;
} NetTest;

static void net_setup(NetTest *t, const char *spec)
{
    char *err = NULL;
    vd_setup(&t->d, false);
    t->nd = netdev_new(spec, &err);
    ck_assert_msg(t->nd != NULL, "%s", err ? err : "");
    VirtIODevice *vdev = virtio_net_new(t->nd, guest_mac, &err);
    ck_assert_ptr_nonnull(vdev);
    ck_assert(virtio_mmio_plug(t->d.mmio, vdev));
    ck_assert_uint_eq(vd_reg_read(&t->d, R_DEVICE_ID), VIRTIO_ID_NET);
    vd_init_device(&t->d, F(VIRTIO_F_VERSION_1) | F(5) | F(16), 2);
    uint8_t mac[6];
    for (int i = 0; i < 6; i++) {
        uint64_t v;
        ck_assert_int_eq(address_space_load(t->d.as, VD_MMIO_BASE + R_CONFIG + i, 1, false, &v),
                         MEMTX_OK);
        mac[i] = v;
    }
    ck_assert_mem_eq(mac, guest_mac, 6);
    /* Receive buffers: descriptor i is buffer i, reposted as it is used. */
    for (int i = 0; i < RX_BUFS; i++) {
        VdBuf b = {RX_BASE + i * RX_BUF_SIZE, RX_BUF_SIZE, true};
        vd_add(&t->d, 0, &b, 1);
    }
    vd_kick(&t->d, 0);
}

static void net_teardown(NetTest *t)
{
    vd_teardown(&t->d);
    netdev_free_all();
}

static void net_send(NetTest *t, const uint8_t *frame, size_t len)
{
    uint8_t hdr[HDR] = {0};
    vd_write_mem(&t->d, TX_BASE, hdr, HDR);
    vd_write_mem(&t->d, TX_BASE + HDR, frame, len);
    VdBuf b = {TX_BASE, HDR + len, false};
    vd_submit(&t->d, 1, &b, 1);
    ck_assert(vd_wait_used(&t->d, 1, NULL, NULL));
}

/* Next received frame (without the virtio header) into f; its length. */
static size_t net_recv(NetTest *t, uint8_t *f)
{
    uint32_t id, len;
    ck_assert_msg(vd_wait_used(&t->d, 0, &id, &len), "no frame received");
    ck_assert_uint_lt(id, RX_BUFS);
    ck_assert_uint_gt(len, HDR);
    uint8_t hdr[HDR];
    vd_read_mem(&t->d, RX_BASE + id * RX_BUF_SIZE, hdr, HDR);
    ck_assert_uint_eq(hdr[10], 1); /* num_buffers */
    vd_read_mem(&t->d, RX_BASE + id * RX_BUF_SIZE + HDR, f, len - HDR);
    vd_publish(&t->d, 0, id);
    vd_kick(&t->d, 0);
    return len - HDR;
}

/* Waits for a DHCP reply of `type`; returns yiaddr. */
static uint32_t recv_dhcp(NetTest *t, int type)
{
    uint8_t f[RX_BUF_SIZE];
    for (int tries = 0; tries < 8; tries++) {
        size_t len = net_recv(t, f);
        if (len < 42 + 240 || f[12] != 0x08 || f[13] != 0 || f[23] != 17 ||
            (f[34] << 8 | f[35]) != 67) {
            continue;
        }
        const uint8_t *b = f + 42;
        ck_assert_uint_eq(b[0], 2); /* BOOTREPLY */
        ck_assert_uint_eq(get32(b + 4), 0x12345678);
        for (const uint8_t *o = b + 240; o < f + len && *o != 255; o += 2 + o[1]) {
            if (o[0] == 53) {
                ck_assert_uint_eq(o[2], type);
                return get32(b + 16);
            }
        }
        ck_abort_msg("DHCP reply without a message type");
    }
    ck_abort_msg("no DHCP reply");
    return 0;
}

START_TEST(test_dhcp_arp_ping)
{
    NetTest t;
    net_setup(&t, "user,id=n0");
    uint8_t f[1600];
    size_t len = build_dhcp(f, 1, 0); /* DISCOVER */
    net_send(&t, f, len);
    ck_assert_uint_eq(recv_dhcp(&t, 2), 0x0a00020f); /* OFFER 10.0.2.15 */
    len = build_dhcp(f, 3, 0x0a00020f);              /* REQUEST */
    net_send(&t, f, len);
    ck_assert_uint_eq(recv_dhcp(&t, 5), 0x0a00020f); /* ACK */
    ck_assert_int_eq(t.d.irq_level, 1);

    /* ARP who-has 10.0.2.2. */
    memset(f, 0xff, 6);
    memcpy(f + 6, guest_mac, 6);
    put16(f + 12, 0x0806);
    put16(f + 14, 1);
    put16(f + 16, 0x0800);
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, 1);
    memcpy(f + 22, guest_mac, 6);
    put32(f + 28, 0x0a00020f);
    memset(f + 32, 0, 6);
    put32(f + 38, 0x0a000202);
    net_send(&t, f, 42);
    uint8_t r[RX_BUF_SIZE];
    uint8_t host_mac[6];
    for (;;) {
        len = net_recv(&t, r);
        if (r[12] == 0x08 && r[13] == 0x06) {
            break;
        }
    }
    ck_assert_uint_eq(r[20] << 8 | r[21], 2); /* reply */
    ck_assert_uint_eq(get32(r + 28), 0x0a000202);
    ck_assert_mem_eq(r + 32, guest_mac, 6);
    memcpy(host_mac, r + 22, 6);

    /* ICMP echo to 10.0.2.2. */
    size_t off = build_ip(f, host_mac, 0x0a00020f, 0x0a000202, 1, 8 + 32);
    uint8_t *icmp = f + off;
    memset(icmp, 0, 8 + 32);
    icmp[0] = 8;
    put16(icmp + 4, 0x4242);
    put16(icmp + 6, 7);
    memcpy(icmp + 8, "mimic ping payload 0123456789abc", 32);
    put16(icmp + 2, ip_csum(icmp, 40));
    net_send(&t, f, off + 40);
    for (;;) {
        len = net_recv(&t, r);
        if (r[12] == 0x08 && r[13] == 0 && r[23] == 1) {
            break;
        }
    }
    ck_assert_uint_eq(get32(r + 26), 0x0a000202);
    ck_assert_uint_eq(get32(r + 30), 0x0a00020f);
    ck_assert_uint_eq(r[34], 0); /* echo reply */
    ck_assert_uint_eq(r[38] << 8 | r[39], 0x4242);
    ck_assert_mem_eq(r + 42, "mimic ping payload 0123456789abc", 32);
    net_teardown(&t);
}
END_TEST

START_TEST(test_dhcp_other_net)
{
    NetTest t;
    net_setup(&t, "user,id=n1,net=192.168.76.0/24,hostfwd=tcp::0-:22");
    uint8_t f[1600];
    size_t len = build_dhcp(f, 1, 0);
    net_send(&t, f, len);
    ck_assert_uint_eq(recv_dhcp(&t, 2), 0xc0a84c0f); /* 192.168.76.15 */
    net_teardown(&t);
}
END_TEST

/* Frames that arrive while the guest has no receive buffer wait in the
 * backend's queue until buffers are posted. */
START_TEST(test_rx_queueing)
{
    char *err = NULL;
    NetTest t;
    vd_setup(&t.d, false);
    t.nd = netdev_new("user,id=q0", &err);
    ck_assert_ptr_nonnull(t.nd);
    ck_assert(virtio_mmio_plug(t.d.mmio, virtio_net_new(t.nd, NULL, &err)));
    vd_init_device(&t.d, F(VIRTIO_F_VERSION_1), 2);
    uint8_t f[1600];
    size_t len = build_dhcp(f, 1, 0);
    net_send(&t, f, len);
    for (int i = 0; i < 20; i++) {
        main_loop_iterate(false);
    }
    ck_assert_uint_eq(vd_used_idx(&t.d, 0), 0);
    for (int i = 0; i < RX_BUFS; i++) {
        VdBuf b = {RX_BASE + i * RX_BUF_SIZE, RX_BUF_SIZE, true};
        vd_add(&t.d, 0, &b, 1);
    }
    vd_kick(&t.d, 0);
    ck_assert_uint_eq(recv_dhcp(&t, 2), 0x0a00020f);
    vd_teardown(&t.d);
    netdev_free_all();
}
END_TEST

START_TEST(test_netdev_options)
{
    char *err = NULL;
    main_loop_init();
    static const char *bad[] = {
        "tap,id=t0",
        "user",
        "user,id=a,net=10.0.2.0/40",
        "user,id=a,hostfwd=tcp:1-2",
        "user,id=a,hostfwd=sctp::1-:2",
        "user,id=a,bogus=1",
        "user,id=a,dns=1.2.3",
        "user,id=a,hostfwd=tcp::80-:0",
        "",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        err = NULL;
        ck_assert_msg(netdev_new(bad[i], &err) == NULL, "%s accepted", bad[i]);
        ck_assert_ptr_nonnull(err);
        g_free(err);
    }
    NetDev *a = netdev_new("user,id=a,restrict=off,hostname=guest", &err);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_eq(netdev_find("a"), a);
    err = NULL;
    ck_assert_ptr_null(netdev_new("user,id=a", &err));
    ck_assert_ptr_nonnull(strstr(err, "duplicate"));
    g_free(err);
    char *dev = NULL;
    NetDev *n = netdev_new_nic("user,model=virtio-net-pci,mac=52:54:00:aa:bb:cc", &dev, &err);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(dev, "virtio-net-pci,netdev=nic0,mac=52:54:00:aa:bb:cc");
    g_free(dev);
    err = NULL;
    ck_assert_ptr_null(netdev_new_nic("user,mac=zz", &dev, &err));
    g_free(err);
    uint8_t mac[6];
    ck_assert(net_parse_mac("02:00:00:00:00:0f", mac));
    ck_assert_uint_eq(mac[5], 15);
    ck_assert(!net_parse_mac("02:00:00:00:00", mac));
    netdev_free_all();
}
END_TEST

static int free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* hostfwd: a connection to the host port reaches the guest as a TCP SYN to
 * the guest port (after slirp resolves the guest's MAC with ARP). */
START_TEST(test_hostfwd)
{
    int port = free_tcp_port();
    char *spec = g_strdup_printf("user,id=h0,hostfwd=tcp:127.0.0.1:%d-:2222", port);
    NetTest t;
    net_setup(&t, spec);
    uint8_t f[1600];
    size_t len = build_dhcp(f, 1, 0);
    net_send(&t, f, len);
    recv_dhcp(&t, 2);
    len = build_dhcp(f, 3, 0x0a00020f);
    net_send(&t, f, len);
    recv_dhcp(&t, 5);

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    ck_assert(r == 0 || errno == EINPROGRESS);
    uint8_t fr[RX_BUF_SIZE];
    bool syn = false;
    for (int i = 0; i < 6 && !syn; i++) {
        len = net_recv(&t, fr);
        if (fr[12] == 0x08 && fr[13] == 0x06) {
            /* ARP who-has 10.0.2.15: answer it. */
            ck_assert_uint_eq(get32(fr + 38), 0x0a00020f);
            uint8_t rep[42];
            memcpy(rep, fr + 6, 6);
            memcpy(rep + 6, guest_mac, 6);
            put16(rep + 12, 0x0806);
            memcpy(rep + 14, fr + 14, 6);
            put16(rep + 20, 2);
            memcpy(rep + 22, guest_mac, 6);
            put32(rep + 28, 0x0a00020f);
            memcpy(rep + 32, fr + 22, 10);
            net_send(&t, rep, 42);
        } else if (fr[12] == 0x08 && fr[13] == 0 && fr[23] == 6) {
            ck_assert_uint_eq(get32(fr + 30), 0x0a00020f);
            ck_assert_uint_eq(fr[36] << 8 | fr[37], 2222);
            ck_assert(fr[47] & 0x02); /* SYN */
            syn = true;
        }
    }
    ck_assert(syn);
    close(fd);
    g_free(spec);
    net_teardown(&t);
}
END_TEST

typedef struct Transports {
    VirtioMmio *t[5];
    int n, used;
} Transports;

static bool plug_next(void *opaque, VirtIODevice *vdev, char **errp)
{
    Transports *ts = opaque;
    if (ts->used == ts->n) {
        *errp = g_strdup("no free virtio-mmio transport");
        return false;
    }
    return virtio_mmio_plug(ts->t[ts->used++], vdev);
}

/* A board's view: command-line options become devices on transports. */
START_TEST(test_machine_setup)
{
    char dir[256];
    scratch_dir(dir, sizeof(dir), "mimic-vmach");
    char *img = g_strdup_printf("%s/a.raw", dir), *err = NULL;
    ck_assert_int_eq(block_create(img, "raw", 1 << 20, NULL, &err), 0);
    char *drives[3] = {g_strdup_printf("file=%s,format=raw,if=virtio", img),
                       g_strdup_printf("file=%s,format=raw,if=none,id=d1,readonly=on", img),
                       g_strdup_printf("file=%s,format=raw,if=ide", img)};
    char *netdevs[1] = {(char *)"user,id=n0"};
    char *devices[3] = {(char *)"virtio-net-device,netdev=n0", (char *)"virtio-blk-device,drive=d1",
                        (char *)"virtio-rng-device"};
    main_loop_init();
    MemoryRegion *sys = memory_region_new_container("sys", UINT64_MAX);
    Transports ts = {.n = 4};
    for (int i = 0; i < 4; i++) {
        ts.t[i] = virtio_mmio_new(sys, 0x1000 * i, NULL, NULL, false);
    }
    /* A device mimic does not have is refused before anything is created. */
    char *e1000[1] = {(char *)"e1000"};
    VirtioMachineConfig cfg0 = {drives, 3, netdevs, 1, e1000, 1, false, NULL, plug_next, &ts};
    ck_assert(!virtio_machine_setup(&cfg0, &err));
    ck_assert_str_eq(err, "-device e1000: 'e1000' is not a valid device model name");
    g_free(err);
    err = NULL;
    ck_assert_int_eq(ts.used, 0);
    VirtioMachineConfig cfg = {drives, 3, netdevs, 1, devices, 3, false, NULL, plug_next, &ts};
    ck_assert_msg(virtio_machine_setup(&cfg, &err), "%s", err ? err : "");
    ck_assert_int_eq(ts.used, 4);
    static const int want[4] = {VIRTIO_ID_BLOCK, VIRTIO_ID_NET, VIRTIO_ID_BLOCK, VIRTIO_ID_RNG};
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(virtio_mmio_device(ts.t[i])->device_id, want[i]);
    }
    /* One device too many: the plug error comes back. */
    char *more[1] = {(char *)"virtio-rng-device"};
    VirtioMachineConfig cfg2 = {NULL, 0, NULL, 0, more, 1, false, NULL, plug_next, &ts};
    ck_assert(!virtio_machine_setup(&cfg2, &err));
    ck_assert_str_eq(err, "no free virtio-mmio transport");
    g_free(err);
    err = NULL;
    /* virtio-serial-device + virtconsole is one console device. */
    VirtioMmio *con = virtio_mmio_new(sys, 0x8000, NULL, NULL, false);
    ts.t[ts.n++] = con;
    ck_assert_ptr_nonnull(chardev_new_option("null,id=c0", &err));
    char *serial[2] = {(char *)"virtio-serial-device", (char *)"virtconsole,chardev=c0"};
    VirtioMachineConfig cfg4 = {NULL, 0, NULL, 0, serial, 2, false, NULL, plug_next, &ts};
    ck_assert_msg(virtio_machine_setup(&cfg4, &err), "%s", err ? err : "");
    ck_assert_uint_eq(virtio_mmio_device(con)->device_id, VIRTIO_ID_CONSOLE);
    ck_assert_int_eq(ts.used, 5);
    char *bad[1] = {(char *)"virtio-blk-device,drive=nope"};
    VirtioMachineConfig cfg3 = {NULL, 0, NULL, 0, bad, 1, false, NULL, plug_next, &ts};
    ck_assert(!virtio_machine_setup(&cfg3, &err));
    ck_assert_ptr_nonnull(strstr(err, "nope"));
    g_free(err);
    for (int i = 0; i < ts.n; i++) {
        virtio_mmio_free(ts.t[i]);
    }
    memory_region_free(sys);
    virtio_machine_close_drives();
    netdev_free_all();
    for (int i = 0; i < 3; i++) {
        g_free(drives[i]);
    }
    g_free(img);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virtio-net");
    TCase *tc = tcase_create("net");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dhcp_arp_ping);
    tcase_add_test(tc, test_dhcp_other_net);
    tcase_add_test(tc, test_rx_queueing);
    tcase_add_test(tc, test_netdev_options);
    tcase_add_test(tc, test_machine_setup);
    tcase_add_test(tc, test_hostfwd);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
