"""Run actors against one FakeNeutron, one request at a time, in an order
chosen by a seeded random scheduler.

Each actor runs in its own thread but only one runs at any moment: before
every request it waits until the scheduler picks it. A seed gives one
reproducible interleaving, so a failure names the schedule that broke.
"""

import random
import threading


class Interleaver:

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.cond = threading.Condition()
        self.waiting = set()
        self.done = set()
        self.running = None
        self.steps = 0

    def _gate(self, me):
        with self.cond:
            self.waiting.add(me)
            if self.running == me:
                self.running = None
            self.cond.notify_all()
            while self.running != me:
                self.cond.wait(5)
            self.waiting.discard(me)

    def hook(self, cloud, method, path):
        me = threading.current_thread().name
        if me.startswith('actor-'):
            self._gate(me)

    def run(self, cloud, actors):
        """Run every actor to its end; [(result, exception)] per actor."""
        results = [(None, None)] * len(actors)
        previous, cloud.hook = cloud.hook, self.hook

        def body(i, actor):
            me = 'actor-%d' % i
            self._gate(me)
            try:
                results[i] = (actor(), None)
            except Exception as e:     # the actor's failure is a result
                results[i] = (None, e)
            finally:
                with self.cond:
                    self.done.add(me)
                    self.running = None
                    self.cond.notify_all()

        threads = [threading.Thread(target=body, args=(i, a),
                                    name='actor-%d' % i, daemon=True)
                   for i, a in enumerate(actors)]
        for t in threads:
            t.start()
        names = {t.name for t in threads}
        with self.cond:
            while self.done != names:
                while self.running is not None or (
                        self.waiting | self.done) != names:
                    if not self.cond.wait(10):
                        raise RuntimeError('interleaver stalled')
                ready = sorted(self.waiting)
                if not ready:
                    continue
                self.running = self.rng.choice(ready)
                self.steps += 1
                self.cond.notify_all()
        for t in threads:
            t.join(5)
        cloud.hook = previous
        return results
