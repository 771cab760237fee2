//! A Richards-like scheduler: task records in a linked queue, each task a
//! trait object (`call_indirect`), packets passed between them, a state
//! machine per task. `richards <iterations>`.

const NTASKS: usize = 6;

struct Packet {
    dest: usize,
    kind: u32,
    data: [u32; 4],
}

trait Task {
    fn run(&mut self, pkt: Option<Packet>, s: &mut Sched) -> Option<usize>;
}

struct Sched {
    queues: [Vec<Packet>; NTASKS],
    held: [bool; NTASKS],
    count: u64,
    hold_count: u64,
}

impl Sched {
    fn send(&mut self, mut p: Packet, to: usize) -> Option<usize> {
        p.dest = to;
        // Bounded queues: a full one drops the packet (counted).
        if self.queues[to].len() < 64 {
            self.queues[to].push(p);
        } else {
            self.hold_count += 1;
        }
        Some(to)
    }
}

struct Idle {
    seed: u32,
    left: u32,
}
impl Task for Idle {
    fn run(&mut self, _p: Option<Packet>, s: &mut Sched) -> Option<usize> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        s.count += 1;
        // Feed the system: work for the worker, device packets for the
        // handlers, now and then.
        if self.left % 4 == 0 && s.queues[1].len() < 64 {
            let k = self.left / 4;
            s.queues[1].push(Packet { dest: 1, kind: 2, data: [k; 4] });
            s.queues[2 + (k as usize & 1)].push(Packet { dest: 2, kind: 0, data: [k; 4] });
        }
        if self.seed & 1 == 0 {
            self.seed >>= 1;
            s.held[4] = false;
            Some(4)
        } else {
            self.seed = (self.seed >> 1) ^ 0xd008;
            s.held[5] = false;
            Some(5)
        }
    }
}

struct Worker {
    dest: usize,
    n: u32,
}
impl Task for Worker {
    fn run(&mut self, p: Option<Packet>, s: &mut Sched) -> Option<usize> {
        match p {
            None => {
                s.held[1] = true;
                s.hold_count += 1;
                None
            }
            Some(mut p) => {
                self.dest = if self.dest == 2 { 3 } else { 2 };
                p.kind = self.dest as u32;
                for d in p.data.iter_mut() {
                    self.n = self.n % 26 + 1;
                    *d = self.n;
                }
                s.send(p, self.dest)
            }
        }
    }
}

struct Handler {
    work: Vec<Packet>,
    devs: Vec<Packet>,
}
impl Task for Handler {
    fn run(&mut self, p: Option<Packet>, s: &mut Sched) -> Option<usize> {
        if let Some(p) = p {
            if p.kind < 2 {
                if self.devs.len() < 64 {
                    self.devs.push(p);
                }
            } else if self.work.len() < 64 {
                self.work.push(p);
            }
        }
        if let Some(mut w) = self.work.pop() {
            if let Some(mut d) = self.devs.pop() {
                d.data[0] = w.data[(w.kind as usize) & 3];
                w.kind = w.kind.wrapping_add(1);
                self.work.push(w);
                let to = 4 + (d.data[0] as usize & 1);
                return s.send(d, to);
            }
            self.work.push(w);
        }
        s.hold_count += 1;
        None
    }
}

struct Device {
    pending: Option<Packet>,
}
impl Task for Device {
    fn run(&mut self, p: Option<Packet>, s: &mut Sched) -> Option<usize> {
        match p {
            None => match self.pending.take() {
                Some(p) => s.send(p, 1),
                None => None,
            },
            Some(p) => {
                s.count += u64::from(p.data[0]);
                self.pending = Some(Packet { dest: 0, kind: 0, data: p.data });
                s.hold_count += 1;
                None
            }
        }
    }
}

fn main() {
    let iters: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(3_000_000);
    let mut tasks: Vec<Box<dyn Task>> = vec![
        Box::new(Idle { seed: 1, left: iters }),
        Box::new(Worker { dest: 2, n: 0 }),
        Box::new(Handler { work: Vec::new(), devs: Vec::new() }),
        Box::new(Handler { work: Vec::new(), devs: Vec::new() }),
        Box::new(Device { pending: None }),
        Box::new(Device { pending: None }),
    ];
    let mut s = Sched {
        queues: Default::default(),
        held: [false; NTASKS],
        count: 0,
        hold_count: 0,
    };
    for k in 0..4 {
        s.queues[1].push(Packet { dest: 1, kind: k & 1, data: [k; 4] });
        s.queues[2 + (k as usize & 1)].push(Packet { dest: 2, kind: 0, data: [0; 4] });
    }
    let mut current = Some(0usize);
    let mut steps = 0u64;
    while let Some(t) = current {
        steps += 1;
        let pkt = s.queues[t].pop();
        let next = tasks[t].run(pkt, &mut s);
        current = match next {
            Some(n) => Some(n),
            // Round robin over tasks with work, else back to idle.
            None => {
                let mut found = None;
                for k in 1..=NTASKS {
                    let c = (t + k) % NTASKS;
                    if c != 0 && !s.queues[c].is_empty() && !s.held[c] {
                        found = Some(c);
                        break;
                    }
                }
                for h in s.held.iter_mut() {
                    *h = false;
                }
                match found {
                    Some(c) => Some(c),
                    None if t == 0 => None,
                    None => Some(0),
                }
            }
        };
        if t == 0 && next.is_none() {
            break;
        }
    }
    println!("richards: steps {steps}, count {}, holds {}", s.count, s.hold_count);
}
