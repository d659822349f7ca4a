/* A bound on the CNI plugins running at once.
 *
 * Each plugin runs iptables, which takes the host's xtables lock, and
 * each iptables call reads the whole table: with a thousand containers
 * on one bridge a call is slow, and fifty starts at once only queue on
 * that lock, inside the time a plugin is given (cni_exec.c), until some
 * run out of it.  Queued here instead, they wait without a deadline, and
 * the ones running finish in their time. */
#include "runtime/network/network.h"

#include <pthread.h>
#include <stdlib.h>

struct net_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int busy, max;
};

struct net_gate *net_gate_new(int max)
{
	struct net_gate *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->max = max > 0 ? max : 1;
	return g;
}

void net_gate_free(struct net_gate *g)
{
	if (!g)
		return;
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

void net_gate_enter(struct net_gate *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	while (g->busy >= g->max)
		pthread_cond_wait(&g->cond, &g->lock);
	g->busy++;
	pthread_mutex_unlock(&g->lock);
}

void net_gate_leave(struct net_gate *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->busy--;
	pthread_cond_signal(&g->cond);
	pthread_mutex_unlock(&g->lock);
}
