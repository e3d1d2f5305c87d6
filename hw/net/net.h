/*
 * Network backends for NICs: -netdev user (libslirp user-mode networking,
 * integrated into the glib main loop) with hostfwd, and -nic. A NIC model
 * (virtio-net, ...) attaches as the backend's single front-end.
 */
#ifndef HW_NET_NET_H
#define HW_NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct NetDev NetDev;

/* Front-end (NIC) side: frames from the network. can_receive false makes
 * the backend queue frames until netdev_flush_queue(). */
typedef struct NetFrontendOps {
    bool (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *frame, size_t len);
} NetFrontendOps;

/*
 * Parses and creates a -netdev backend: "user,id=n0[,net=10.0.2.0/24]
 * [,host=A][,dhcpstart=A][,dns=A][,hostname=S][,restrict=on|off]
 * [,hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...".
 * NULL with *errp set on a bad option or an unsupported type. The backend is
 * listed by its id for netdev_find.
 */
NetDev *netdev_new(const char *spec, char **errp);
/*
 * -nic TYPE[,model=M][,mac=...][,netdev options]: a backend with a generated
 * id ("nic0", ...) plus, in *device_spec, the -device string that attaches
 * a NIC to it ("virtio-net-device,netdev=nic0[,mac=...]", or model= given).
 */
NetDev *netdev_new_nic(const char *spec, char **device_spec, char **errp);
NetDev *netdev_find(const char *id);
const char *netdev_id(const NetDev *nd);
void netdev_free(NetDev *nd);
/* Frees every backend (machine teardown, tests). */
void netdev_free_all(void);

/* A second front-end on one backend is refused (false). */
bool netdev_set_frontend(NetDev *nd, const NetFrontendOps *ops, void *opaque);
/* A frame from the guest to the network. */
void netdev_send(NetDev *nd, const uint8_t *frame, size_t len);
/* The front-end can receive again: deliver queued frames. */
void netdev_flush_queue(NetDev *nd);

/* "52:54:00:12:34:56" -> 6 bytes; false if malformed. */
bool net_parse_mac(const char *s, uint8_t mac[6]);

#endif
