/*
 * Network backends (hw/net/net.h): -netdev user over libslirp, whose sockets
 * and timers run inside system/'s glib main loop, and the frame queue between
 * a backend and its NIC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slirp/libslirp.h>

#include "hw/hw.h"
#include "hw/net/net.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define NET_QUEUE_MAX 1024

typedef struct SlirpSource {
    GSource source;
    NetDev *nd;
    GPtrArray *pfds; /* GPollFD * added to the source */
} SlirpSource;

struct NetDev {
    char *id;
    Slirp *slirp;
    SlirpSource *src;
    const NetFrontendOps *fe;
    void *fe_opaque;
    GQueue queue; /* GBytes frames waiting for the front-end */
    NetDev *next;
};

static NetDev *netdev_list;
static int nic_counter;

NetDev *netdev_find(const char *id)
{
    for (NetDev *nd = netdev_list; nd; nd = nd->next) {
        if (!strcmp(nd->id, id)) {
            return nd;
        }
    }
    return NULL;
}

const char *netdev_id(const NetDev *nd)
{
    return nd->id;
}

bool net_parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char end;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) !=
        6) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = v[i];
    }
    return true;
}

/* ---- frames to the NIC ---------------------------------------------------- */

static void netdev_deliver(NetDev *nd, const uint8_t *buf, size_t len)
{
    if (!nd->fe) {
        return; /* no NIC: the wire is cut */
    }
    if (g_queue_is_empty(&nd->queue) && nd->fe->can_receive(nd->fe_opaque)) {
        nd->fe->receive(nd->fe_opaque, buf, len);
        return;
    }
    if (nd->queue.length >= NET_QUEUE_MAX) {
        return; /* dropped, as a full NIC would; TCP retransmits */
    }
    g_queue_push_tail(&nd->queue, g_bytes_new(buf, len));
}

void netdev_flush_queue(NetDev *nd)
{
    while (nd->fe && !g_queue_is_empty(&nd->queue) && nd->fe->can_receive(nd->fe_opaque)) {
        GBytes *b = g_queue_pop_head(&nd->queue);
        gsize len;
        const uint8_t *p = g_bytes_get_data(b, &len);
        nd->fe->receive(nd->fe_opaque, p, len);
        g_bytes_unref(b);
    }
}

bool netdev_set_frontend(NetDev *nd, const NetFrontendOps *ops, void *opaque)
{
    if (ops && nd->fe) {
        return false;
    }
    nd->fe = ops;
    nd->fe_opaque = opaque;
    return true;
}

void netdev_send(NetDev *nd, const uint8_t *frame, size_t len)
{
    if (nd->slirp && len <= INT32_MAX) {
        slirp_input(nd->slirp, frame, len);
        /* slirp may have opened sockets the main loop must now poll. */
        main_loop_wakeup();
    }
}

/* ---- libslirp callbacks ----------------------------------------------------- */

static ssize_t slirp_cb_send(const void *buf, size_t len, void *opaque)
{
    netdev_deliver(opaque, buf, len);
    return len;
}

static void slirp_cb_guest_error(const char *msg, void *opaque)
{
    hw_log_guest_error("netdev user: %s\n", msg);
}

static int64_t slirp_cb_clock(void *opaque)
{
    return clock_get_ns(CLOCK_REALTIME);
}

typedef struct SlirpTimer {
    Timer *t;
    SlirpTimerCb cb;
    void *cb_opaque;
} SlirpTimer;

static void slirp_timer_fire(void *opaque)
{
    SlirpTimer *st = opaque;
    st->cb(st->cb_opaque);
}

static void *slirp_cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    SlirpTimer *st = g_new0(SlirpTimer, 1);
    st->cb = cb;
    st->cb_opaque = cb_opaque;
    st->t = timer_new_ns(CLOCK_REALTIME, slirp_timer_fire, st);
    return st;
}

static void slirp_cb_timer_free(void *timer, void *opaque)
{
    SlirpTimer *st = timer;
    timer_free(st->t);
    g_free(st);
}

static void slirp_cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    SlirpTimer *st = timer;
    timer_mod_ns(st->t, expire_ms * 1000000);
}

static void slirp_cb_poll_fd(int fd, void *opaque) {}

static void slirp_cb_notify(void *opaque)
{
    main_loop_wakeup();
}

static const SlirpCb slirp_callbacks = {
    .send_packet = slirp_cb_send,
    .guest_error = slirp_cb_guest_error,
    .clock_get_ns = slirp_cb_clock,
    .timer_new = slirp_cb_timer_new,
    .timer_free = slirp_cb_timer_free,
    .timer_mod = slirp_cb_timer_mod,
    .register_poll_fd = slirp_cb_poll_fd,
    .unregister_poll_fd = slirp_cb_poll_fd,
    .notify = slirp_cb_notify,
};

/* ---- main-loop integration: the fd set is rebuilt before every poll ------ */

static void slirp_source_clear(SlirpSource *s)
{
    for (guint i = 0; i < s->pfds->len; i++) {
        GPollFD *p = g_ptr_array_index(s->pfds, i);
        g_source_remove_poll(&s->source, p);
        g_free(p);
    }
    g_ptr_array_set_size(s->pfds, 0);
}

static int slirp_add_poll(int fd, int events, void *opaque)
{
    SlirpSource *s = opaque;
    GPollFD *p = g_new0(GPollFD, 1);
    p->fd = fd;
    p->events = (events & SLIRP_POLL_IN ? G_IO_IN : 0) | (events & SLIRP_POLL_OUT ? G_IO_OUT : 0) |
                (events & SLIRP_POLL_PRI ? G_IO_PRI : 0) |
                (events & SLIRP_POLL_ERR ? G_IO_ERR : 0) | (events & SLIRP_POLL_HUP ? G_IO_HUP : 0);
    g_source_add_poll(&s->source, p);
    g_ptr_array_add(s->pfds, p);
    return s->pfds->len - 1;
}

static int slirp_get_revents(int idx, void *opaque)
{
    SlirpSource *s = opaque;
    if (idx < 0 || (guint)idx >= s->pfds->len) {
        return 0;
    }
    GPollFD *p = g_ptr_array_index(s->pfds, idx);
    int r = p->revents;
    return (r & G_IO_IN ? SLIRP_POLL_IN : 0) | (r & G_IO_OUT ? SLIRP_POLL_OUT : 0) |
           (r & G_IO_PRI ? SLIRP_POLL_PRI : 0) | (r & G_IO_ERR ? SLIRP_POLL_ERR : 0) |
           (r & G_IO_HUP ? SLIRP_POLL_HUP : 0);
}

static gboolean slirp_source_prepare(GSource *source, gint *timeout)
{
    SlirpSource *s = (SlirpSource *)source;
    slirp_source_clear(s);
    uint32_t t = UINT32_MAX;
    slirp_pollfds_fill(s->nd->slirp, &t, slirp_add_poll, s);
    *timeout = t == UINT32_MAX ? -1 : (gint)MIN(t, (uint32_t)G_MAXINT);
    return FALSE;
}

static gboolean slirp_source_check(GSource *source)
{
    SlirpSource *s = (SlirpSource *)source;
    for (guint i = 0; i < s->pfds->len; i++) {
        GPollFD *p = g_ptr_array_index(s->pfds, i);
        if (p->revents) {
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean slirp_source_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    SlirpSource *s = (SlirpSource *)source;
    slirp_pollfds_poll(s->nd->slirp, 0, slirp_get_revents, s);
    return G_SOURCE_CONTINUE;
}

static void slirp_source_finalize(GSource *source)
{
    SlirpSource *s = (SlirpSource *)source;
    for (guint i = 0; i < s->pfds->len; i++) {
        g_free(g_ptr_array_index(s->pfds, i));
    }
    g_ptr_array_free(s->pfds, true);
}

static GSourceFuncs slirp_source_funcs = {
    .prepare = slirp_source_prepare,
    .check = slirp_source_check,
    .dispatch = slirp_source_dispatch,
    .finalize = slirp_source_finalize,
};

/* ---- option parsing ------------------------------------------------------ */

static bool parse_ip(const char *s, struct in_addr *a)
{
    return inet_pton(AF_INET, s, a) == 1;
}

/* "tcp:[haddr]:hport-[gaddr]:gport" */
static bool parse_hostfwd(const char *s, bool *udp, struct in_addr *haddr, int *hport,
                          struct in_addr *gaddr, int *gport)
{
    char proto[8] = "tcp", hs[64] = "", gs[64] = "";
    unsigned hp, gp;
    const char *p = s;
    const char *colon = strchr(p, ':');
    if (!colon) {
        return false;
    }
    if (colon != p) {
        if ((size_t)(colon - p) >= sizeof(proto)) {
            return false;
        }
        memcpy(proto, p, colon - p);
        proto[colon - p] = 0;
    }
    if (!strcmp(proto, "udp")) {
        *udp = true;
    } else if (!strcmp(proto, "tcp")) {
        *udp = false;
    } else {
        return false;
    }
    char tail;
    if (sscanf(colon + 1, "%63[0-9.]:%u-%63[0-9.]:%u%c", hs, &hp, gs, &gp, &tail) != 4) {
        hs[0] = gs[0] = 0;
        if (sscanf(colon + 1, ":%u-%63[0-9.]:%u%c", &hp, gs, &gp, &tail) != 3) {
            gs[0] = 0;
            if (sscanf(colon + 1, "%63[0-9.]:%u-:%u%c", hs, &hp, &gp, &tail) != 3) {
                hs[0] = 0;
                if (sscanf(colon + 1, ":%u-:%u%c", &hp, &gp, &tail) != 2) {
                    return false;
                }
            }
        }
    }
    if (hp > 65535 || gp == 0 || gp > 65535) {
        return false;
    }
    haddr->s_addr = INADDR_ANY;
    gaddr->s_addr = 0;
    if ((hs[0] && !parse_ip(hs, haddr)) || (gs[0] && !parse_ip(gs, gaddr))) {
        return false;
    }
    *hport = hp;
    *gport = gp;
    return true;
}

static void netdev_unlink(NetDev *nd)
{
    for (NetDev **pp = &netdev_list; *pp; pp = &(*pp)->next) {
        if (*pp == nd) {
            *pp = nd->next;
            return;
        }
    }
}

void netdev_free(NetDev *nd)
{
    if (!nd) {
        return;
    }
    netdev_unlink(nd);
    if (nd->src) {
        g_source_destroy(&nd->src->source);
        g_source_unref(&nd->src->source);
    }
    if (nd->slirp) {
        slirp_cleanup(nd->slirp);
    }
    g_queue_clear_full(&nd->queue, (GDestroyNotify)g_bytes_unref);
    g_free(nd->id);
    g_free(nd);
}

void netdev_free_all(void)
{
    while (netdev_list) {
        netdev_free(netdev_list);
    }
    nic_counter = 0;
}

typedef struct Fwd {
    bool udp;
    struct in_addr haddr, gaddr;
    int hport, gport;
} Fwd;

static NetDev *netdev_new_user(const char *id, char **opts, char **errp)
{
    SlirpConfig cfg = {0};
    cfg.version = 1;
    cfg.in_enabled = true;
    parse_ip("10.0.2.0", &cfg.vnetwork);
    parse_ip("255.255.255.0", &cfg.vnetmask);
    bool have_host = false, have_dhcp = false, have_dns = false;
    GArray *fwds = g_array_new(false, false, sizeof(Fwd));
    char *hostname = NULL;

    for (char **o = opts; *o; o++) {
        char *eq = strchr(*o, '=');
        const char *key = *o, *val = eq ? eq + 1 : "";
        if (eq) {
            *eq = 0;
        }
        bool ok = true;
        if (!strcmp(key, "net")) {
            char *slash = strchr(val, '/');
            int prefix = 24;
            if (slash) {
                *slash = 0;
                char *end;
                prefix = strtol(slash + 1, &end, 10);
                ok = *end == 0 && end != slash + 1 && prefix >= 1 && prefix <= 30;
            }
            ok = ok && parse_ip(val, &cfg.vnetwork);
            if (ok) {
                cfg.vnetmask.s_addr = htonl(~0u << (32 - prefix));
                cfg.vnetwork.s_addr &= cfg.vnetmask.s_addr;
            }
        } else if (!strcmp(key, "host")) {
            ok = parse_ip(val, &cfg.vhost);
            have_host = true;
        } else if (!strcmp(key, "dhcpstart")) {
            ok = parse_ip(val, &cfg.vdhcp_start);
            have_dhcp = true;
        } else if (!strcmp(key, "dns")) {
            ok = parse_ip(val, &cfg.vnameserver);
            have_dns = true;
        } else if (!strcmp(key, "hostname")) {
            g_free(hostname);
            hostname = g_strdup(val);
        } else if (!strcmp(key, "restrict")) {
            ok = !strcmp(val, "on") || !strcmp(val, "off") || !strcmp(val, "yes") ||
                 !strcmp(val, "no");
            cfg.restricted = !strcmp(val, "on") || !strcmp(val, "yes");
        } else if (!strcmp(key, "hostfwd")) {
            Fwd f;
            ok = parse_hostfwd(val, &f.udp, &f.haddr, &f.hport, &f.gaddr, &f.gport);
            if (ok) {
                g_array_append_val(fwds, f);
            }
        } else if (!strcmp(key, "ipv6") || !strcmp(key, "ipv4")) {
            /* IPv4 only; accepted for compatibility. */
        } else {
            *errp = g_strdup_printf("-netdev user: unknown option '%s'", key);
            goto fail;
        }
        if (!ok) {
            *errp = g_strdup_printf("-netdev user: bad value '%s' for '%s'", val, key);
            goto fail;
        }
    }
    uint32_t net = ntohl(cfg.vnetwork.s_addr);
    if (!have_host) {
        cfg.vhost.s_addr = htonl(net + 2);
    }
    if (!have_dhcp) {
        cfg.vdhcp_start.s_addr = htonl(net + 15);
    }
    if (!have_dns) {
        cfg.vnameserver.s_addr = htonl(net + 3);
    }
    cfg.vhostname = hostname;

    NetDev *nd = g_new0(NetDev, 1);
    nd->id = g_strdup(id);
    g_queue_init(&nd->queue);
    nd->slirp = slirp_new(&cfg, &slirp_callbacks, nd);
    if (!nd->slirp) {
        *errp = g_strdup("-netdev user: could not start the user-mode network stack");
        g_free(nd->id);
        g_free(nd);
        goto fail;
    }
    nd->next = netdev_list;
    netdev_list = nd;
    for (guint i = 0; i < fwds->len; i++) {
        Fwd *f = &g_array_index(fwds, Fwd, i);
        if (slirp_add_hostfwd(nd->slirp, f->udp, f->haddr, f->hport, f->gaddr, f->gport) < 0) {
            *errp = g_strdup_printf("-netdev user: could not set up host forwarding of %s port "
                                    "%d: %s",
                                    f->udp ? "udp" : "tcp", f->hport, strerror(errno));
            netdev_free(nd);
            goto fail;
        }
    }
    main_loop_init();
    nd->src = (SlirpSource *)g_source_new(&slirp_source_funcs, sizeof(SlirpSource));
    nd->src->nd = nd;
    nd->src->pfds = g_ptr_array_new();
    g_source_attach(&nd->src->source, main_loop_context());
    g_array_free(fwds, true);
    g_free(hostname); /* slirp copies the strings it keeps */
    return nd;

fail:
    g_array_free(fwds, true);
    g_free(hostname);
    return NULL;
}

NetDev *netdev_new(const char *spec, char **errp)
{
    char **parts = g_strsplit(spec, ",", -1);
    char *id = NULL;
    NetDev *nd = NULL;
    if (!parts[0] || !parts[0][0]) {
        *errp = g_strdup("-netdev: missing backend type");
        goto out;
    }
    /* Take id= out; the rest are backend options. */
    char **rest = g_new0(char *, g_strv_length(parts) + 1);
    int n = 0;
    for (char **p = parts + 1; *p; p++) {
        if (!strncmp(*p, "id=", 3)) {
            g_free(id);
            id = g_strdup(*p + 3);
        } else {
            rest[n++] = *p;
        }
    }
    if (!id || !id[0]) {
        *errp = g_strdup_printf("-netdev %s: id= is required", parts[0]);
    } else if (netdev_find(id)) {
        *errp = g_strdup_printf("-netdev: duplicate id '%s'", id);
    } else if (!strcmp(parts[0], "user")) {
        nd = netdev_new_user(id, rest, errp);
    } else {
        *errp =
            g_strdup_printf("-netdev: backend type '%s' is not supported (only 'user')", parts[0]);
    }
    g_free(rest);
out:
    g_free(id);
    g_strfreev(parts);
    return nd;
}

NetDev *netdev_new_nic(const char *spec, char **device_spec, char **errp)
{
    char **parts = g_strsplit(spec, ",", -1);
    GString *nd_spec = g_string_new(parts[0] ? parts[0] : "");
    char *model = NULL, *mac = NULL;
    char *id = g_strdup_printf("nic%d", nic_counter);
    for (char **p = parts[0] ? parts + 1 : parts; *p; p++) {
        if (!strncmp(*p, "model=", 6)) {
            g_free(model);
            model = g_strdup(*p + 6);
        } else if (!strncmp(*p, "mac=", 4)) {
            g_free(mac);
            mac = g_strdup(*p + 4);
        } else if (!strncmp(*p, "id=", 3)) {
            g_free(id);
            id = g_strdup(*p + 3);
        } else {
            g_string_append_printf(nd_spec, ",%s", *p);
        }
    }
    g_string_append_printf(nd_spec, ",id=%s", id);
    NetDev *nd = NULL;
    uint8_t m[6];
    if (mac && !net_parse_mac(mac, m)) {
        *errp = g_strdup_printf("-nic: bad mac= '%s'", mac);
    } else if (!strcmp(parts[0] ? parts[0] : "", "none")) {
        *errp = g_strdup("-nic none: no backend");
    } else {
        nd = netdev_new(nd_spec->str, errp);
    }
    if (nd) {
        nic_counter++;
        GString *dev = g_string_new(model ? model : "virtio-net-device");
        g_string_append_printf(dev, ",netdev=%s", id);
        if (mac) {
            g_string_append_printf(dev, ",mac=%s", mac);
        }
        *device_spec = g_string_free(dev, false);
    }
    g_free(id);
    g_free(model);
    g_free(mac);
    g_string_free(nd_spec, true);
    g_strfreev(parts);
    return nd;
}
