/* Small socket helpers shared by drivers and simulators: UDP sockets,
 * multicast membership and the outgoing multicast interface. */
#ifndef LUMO_CORE_NET_H
#define LUMO_CORE_NET_H

#include <netinet/in.h>
#include <stddef.h>

/* Parses a dotted IPv4 address ("127.0.0.1"); NULL or "" gives INADDR_ANY.
 * Returns 0 or -1. */
int net_parse_ipv4(const char *s, struct in_addr *out);

/* A non-blocking, close-on-exec UDP socket bound to addr:port (port 0 =
 * ephemeral), with SO_REUSEADDR when `reuse`. Returns the fd, or -1 with
 * errno set and a message in err. */
int net_udp_open(struct in_addr addr, int port, int reuse, char *err, size_t errsize);

/* Joins `group` on the interface with address `iface` (INADDR_ANY: on every
 * multicast-capable IPv4 interface). Returns the number of interfaces
 * joined (0 = none: message in err). Already-joined interfaces count. */
int net_mcast_join(int fd, struct in_addr group, struct in_addr iface, char *err,
                   size_t errsize);

/* Sends multicast from `fd` through the interface with address `iface`,
 * TTL 1, loopback on. Always set before sending multicast: without it the
 * kernel picks the default route's interface. */
int net_mcast_set_if(int fd, struct in_addr iface);

/* Asks for a receive buffer of `bytes` (SO_RCVBUFFORCE when permitted,
 * else SO_RCVBUF up to the system limit); returns the size granted. */
int net_set_rcvbuf(int fd, int bytes);

/* Formats addr as dotted IPv4 into a static-free buffer of 16 bytes. */
const char *net_ipv4_str(struct in_addr addr, char buf[16]);

#endif
