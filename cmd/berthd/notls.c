/* berthd serves HTTP on a unix socket and never TLS, but Debian builds
 * libmicrohttpd with HTTPS support: linked as a shared library it drags
 * in GnuTLS and with it p11-kit, nettle, hogweed, gmp, libtasn1, libidn2,
 * libunistring and libffi, which are 2 MiB of berthd's 4 MiB of idle RSS
 * (relocated and initialised at start, by MHD_init's gnutls_global_init
 * among others).
 *
 * So berthd links Debian's static libmicrohttpd.a instead, and these
 * definitions stand in for the GnuTLS functions it refers to.  Outside
 * MHD_USE_TLS, which berthd never sets, libmicrohttpd calls only
 * gnutls_global_init and gnutls_global_deinit (from its constructor and
 * destructor); every other one aborts, loudly, should it ever be reached.
 * A libmicrohttpd that refers to a GnuTLS function missing here fails to
 * link, so a change is noticed at build time. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* gnutls_malloc is a variable (the allocator GnuTLS uses). */
void *(*gnutls_malloc)(size_t) = malloc;

int gnutls_global_init(void);
void gnutls_global_deinit(void);

int gnutls_global_init(void)
{
	return 0;
}

void gnutls_global_deinit(void)
{
}

_Noreturn static void no_tls(const char *fn)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "berthd: %s called, but berthd has no TLS\n", fn);

	if (n > 0 && write(2, msg, (size_t)n) < 0) {
		/* aborting anyway */
	}
	abort();
}

#define NO_TLS(name)                  \
	void name(void);              \
	void name(void)               \
	{                             \
		no_tls(#name);        \
	}

NO_TLS(gnutls_alpn_set_protocols)
NO_TLS(gnutls_bye)
NO_TLS(gnutls_certificate_allocate_credentials)
NO_TLS(gnutls_certificate_free_credentials)
NO_TLS(gnutls_certificate_server_set_request)
NO_TLS(gnutls_certificate_set_dh_params)
NO_TLS(gnutls_certificate_set_retrieve_function2)
NO_TLS(gnutls_certificate_set_retrieve_function3)
NO_TLS(gnutls_certificate_set_x509_key_mem)
NO_TLS(gnutls_certificate_set_x509_key_mem2)
NO_TLS(gnutls_certificate_set_x509_trust_mem)
NO_TLS(gnutls_cipher_get)
NO_TLS(gnutls_credentials_set)
NO_TLS(gnutls_deinit)
NO_TLS(gnutls_dh_params_deinit)
NO_TLS(gnutls_dh_params_import_pkcs3)
NO_TLS(gnutls_dh_params_init)
NO_TLS(gnutls_handshake)
NO_TLS(gnutls_init)
NO_TLS(gnutls_priority_deinit)
NO_TLS(gnutls_priority_init)
NO_TLS(gnutls_priority_set)
NO_TLS(gnutls_protocol_get_version)
NO_TLS(gnutls_psk_allocate_server_credentials)
NO_TLS(gnutls_psk_free_server_credentials)
NO_TLS(gnutls_psk_set_server_credentials_function)
NO_TLS(gnutls_record_check_pending)
NO_TLS(gnutls_record_get_direction)
NO_TLS(gnutls_record_recv)
NO_TLS(gnutls_record_send)
NO_TLS(gnutls_session_get_ptr)
NO_TLS(gnutls_session_set_ptr)
NO_TLS(gnutls_strerror)
NO_TLS(gnutls_transport_set_int2)
