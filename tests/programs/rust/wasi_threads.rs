// kiln-test: target = wasm32-wasip1-threads
// kiln-test: stdout-file
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
//! wasi-threads through Rust std (`wasm32-wasip1-threads`): `thread::spawn`
//! (`thread-spawn` plus `wasi_thread_start`), `join`, `Mutex`, `Condvar`,
//! `Arc`, atomics, `thread::scope`, channels, timed waits, park/unpark and
//! `thread::sleep` (`poll_oneoff`) from several threads. Output is deterministic: threads only print what
//! was collected after they joined, except the ping-pong, whose order the
//! condition variable fixes.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::Duration;

fn counters() {
    let counter = Arc::new(AtomicU64::new(0));
    let locked = Arc::new(Mutex::new(0u64));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let counter = Arc::clone(&counter);
            let locked = Arc::clone(&locked);
            thread::spawn(move || {
                for i in 0..10_000u64 {
                    counter.fetch_add(1, Ordering::SeqCst);
                    *locked.lock().unwrap() += i % 7;
                }
                t * 100
            })
        })
        .collect();
    let results: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("join results: {results:?}");
    println!("atomic counter: {}", counter.load(Ordering::SeqCst));
    println!("mutex sum: {}", *locked.lock().unwrap());
}

fn ping_pong() {
    // Two threads take turns through one Mutex + Condvar.
    let state = Arc::new((Mutex::new(0u32), Condvar::new()));
    let other = Arc::clone(&state);
    let t = thread::spawn(move || {
        let (lock, cv) = &*other;
        for round in 0..3 {
            let mut turn = lock.lock().unwrap();
            while *turn % 2 == 0 {
                turn = cv.wait(turn).unwrap();
            }
            println!("pong {round}");
            *turn += 1;
            cv.notify_all();
        }
    });
    let (lock, cv) = &*state;
    for round in 0..3 {
        let mut turn = lock.lock().unwrap();
        while *turn % 2 == 1 {
            turn = cv.wait(turn).unwrap();
        }
        println!("ping {round}");
        *turn += 1;
        cv.notify_all();
    }
    t.join().unwrap();
}

fn scoped_and_channels() {
    let data: Vec<u32> = (1..=100).collect();
    let total = AtomicU32::new(0);
    thread::scope(|s| {
        for chunk in data.chunks(25) {
            let total = &total;
            s.spawn(move || {
                total.fetch_add(chunk.iter().sum::<u32>(), Ordering::Relaxed);
            });
        }
    });
    println!("scoped sum: {}", total.load(Ordering::Relaxed));

    let (tx, rx) = mpsc::channel();
    for id in 0..3u32 {
        let tx = tx.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(5 * u64::from(id)));
            tx.send(id * id).unwrap();
        });
    }
    drop(tx);
    let mut got: Vec<u32> = rx.iter().collect();
    got.sort_unstable();
    println!("channel: {got:?}");
}

fn timeouts() {
    // `memory.atomic.wait32` with a finite timeout: first nobody notifies,
    // then another thread does long before the timeout.
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let (lock, cv) = &*pair;
    let (guard, r) = cv
        .wait_timeout(lock.lock().unwrap(), Duration::from_millis(20))
        .unwrap();
    println!("timed out: {}", r.timed_out());
    drop(guard);
    let other = Arc::clone(&pair);
    let t = thread::spawn(move || {
        let (lock, cv) = &*other;
        *lock.lock().unwrap() = true;
        cv.notify_one();
    });
    let mut ready = lock.lock().unwrap();
    while !*ready {
        ready = cv.wait_timeout(ready, Duration::from_secs(60)).unwrap().0;
    }
    println!("notified: {}", *ready);
    drop(ready);
    t.join().unwrap();
    // park/unpark
    let main = thread::current();
    let t = thread::spawn(move || main.unpark());
    thread::park_timeout(Duration::from_secs(60));
    t.join().unwrap();
    println!("unparked");
}

fn main() {
    counters();
    timeouts();
    ping_pong();
    scoped_and_channels();
    let name = thread::Builder::new()
        .name("named".into())
        .spawn(|| thread::current().name().map(str::to_owned))
        .unwrap()
        .join()
        .unwrap();
    println!("thread name: {name:?}");
    // Many short-lived threads, one after the other (each instance is freed
    // when its thread ends).
    let sum: u64 = (0..500u64)
        .map(|i| thread::spawn(move || i * 2).join().unwrap())
        .sum();
    println!("500 threads: {sum}");
    println!("done");
}
