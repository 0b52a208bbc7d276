//! Tests of the code passes ([`super`]), with small integers standing for type keys.

use super::*;

fn table(entries: &[(u32, u8)]) -> CodeTable<u32> {
    entries.iter().copied().collect()
}

/// `t.codes(keys)` when no key is unjudged.
fn codes_of(t: &CodeTable<u32>, keys: &[u32]) -> Result<Vec<u8>, Unjudged<u32>> {
    let found = t.codes(keys.iter().copied());
    assert_eq!(found.unjudged(), Unjudged(vec![]));
    found.finish(t)
}

#[test]
fn codes_in_order_when_every_key_is_judged() {
    let t = table(&[(10, 0), (20, 1), (30, 4)]);
    assert_eq!(codes_of(&t, &[10, 20, 20, 30, 10]), Ok(vec![0, 1, 1, 4, 0]));
    assert_eq!(codes_of(&t, &[]), Ok(vec![]));
}

#[test]
fn codes_name_each_unjudged_key_once_in_first_met_order() {
    let t = table(&[(10, 0)]);
    let found = t.codes([10, 40, 50, 40, 10, 50, 60]);
    assert_eq!(found.unjudged(), Unjudged(vec![40, 50, 60]));
    // Not judged: no codes.
    assert_eq!(found.finish(&t), Err(Unjudged(vec![40, 50, 60])));
}

#[test]
fn judging_the_unjudged_then_finishing_gives_every_code() {
    let mut t = table(&[(10, 0)]);
    let found = t.codes([10, 40, 10, 40, 50]);
    let Unjudged(unjudged) = found.unjudged();
    assert_eq!(unjudged, vec![40, 50]);
    t.insert(40, 3);
    assert_eq!(found.clone().finish(&t), Err(Unjudged(vec![50])));
    t.insert(50, 2);
    assert_eq!(found.finish(&t), Ok(vec![0, 3, 0, 3, 2]));
    assert_eq!((t.get(40), t.len()), (Some(3), 3));
}

#[test]
fn a_run_of_one_key_does_not_hide_a_change_of_key() {
    // A run of one key, then another: each looked up, not the run's code reused.
    let t = table(&[(1, 0), (2, 1)]);
    assert_eq!(codes_of(&t, &[1, 1, 1, 2, 2, 1]), Ok(vec![0, 0, 0, 1, 1, 0]));
}

/// The set of code 1 alone.
fn one() -> CodeSet {
    CodeSet::from(&[1u8][..])
}

fn done(positions: Vec<usize>) -> Holding<u32> {
    Holding { positions, undecided: vec![], unjudged: Unjudged(vec![]) }
}

#[test]
fn holding_gives_the_positions_of_containers_with_an_element_of_the_code() {
    let t = table(&[(1, 0), (2, 1), (3, 0)]);
    let containers: Vec<Vec<u32>> = vec![vec![1, 1], vec![1, 2], vec![], vec![3, 3, 3], vec![2]];
    assert_eq!(t.holding(containers.iter().map(|c| c.iter().copied()), &one(), 1000), done(vec![1, 4]));
    assert_eq!(t.holding(containers.iter().map(|c| c.iter().copied()), &CodeSet::from(&[0u8][..]), 1000), done(vec![0, 1, 3]));
}

#[test]
fn holding_looks_at_the_first_limit_elements_only() {
    let t = table(&[(1, 0), (2, 1)]);
    let long: Vec<u32> = [vec![1; 1000], vec![2]].concat();
    let containers = [long.clone(), long[..999].iter().copied().chain([2]).collect()];
    assert_eq!(t.holding(containers.iter().map(|c| c.iter().copied()), &one(), 1000), done(vec![1]));
    // Beyond the limit, an unjudged key is not met either.
    let unjudged_late: Vec<u32> = [vec![1; 1000], vec![9]].concat();
    assert_eq!(t.holding([unjudged_late.iter().copied()], &one(), 1000), done(vec![]));
}

#[test]
fn holding_judges_every_type_met_even_after_a_hit() {
    // As the Python pass does: a container holding an element of the code still has its other
    // elements' types judged, so the types of the code are all known afterwards. Only the
    // containers not found holding are left undecided.
    let t = table(&[(1, 0), (2, 1)]);
    let containers = [vec![2, 7], vec![1, 8, 7], vec![1], vec![9, 2]];
    assert_eq!(
        t.holding(containers.iter().map(|c| c.iter().copied()), &one(), 1000),
        Holding { positions: vec![0, 3], undecided: vec![1], unjudged: Unjudged(vec![7, 8, 9]) }
    );
}

#[test]
fn judging_then_passing_the_undecided_again_decides_them() {
    let mut t = table(&[(1, 0)]);
    let containers = [vec![1, 5], vec![1], vec![6], vec![5, 6]];
    let first = t.holding(containers.iter().map(|c| c.iter().copied()), &one(), 1000);
    assert_eq!(first.undecided, vec![0, 2, 3]);
    t.insert(5, 0);
    t.insert(6, 1);
    let again = t.holding(first.undecided.iter().map(|&p| containers[p].iter().copied()), &one(), 1000);
    assert_eq!(again, done(vec![1, 2]));
    let positions: Vec<usize> = again.positions.iter().map(|&p| first.undecided[p]).collect();
    assert_eq!(positions, vec![2, 3]);
}

#[test]
fn a_limit_of_zero_looks_at_nothing() {
    let t: CodeTable<u32> = CodeTable::default();
    assert!(t.is_empty());
    assert_eq!(t.holding([[5, 6]], &one(), 0), done(vec![]));
}

#[test]
fn many_unjudged_keys_are_each_named_once_in_first_met_order() {
    // The first look at a namespace: thousands of types, none judged yet.
    let t: CodeTable<u32> = CodeTable::default();
    let keys: Vec<u32> = (0..20_000).map(|k| k % 10_000).collect();
    let Unjudged(unjudged) = t.codes(keys.iter().copied()).unjudged();
    assert_eq!(unjudged, (0..10_000).collect::<Vec<u32>>());
    let found = t.holding(keys.chunks(7).map(|c| c.iter().copied()), &one(), 1000);
    assert_eq!(found.unjudged.0.len(), 10_000);
    assert_eq!(found.undecided.len(), keys.chunks(7).count());
}

#[test]
fn positions_group_the_codes_by_the_wanted_ones_in_order() {
    let codes = [0, 1, 4, 1, 2, 0, 4];
    assert_eq!(positions(&codes, &[4, 1]), vec![vec![2, 6], vec![1, 3]]);
    // A code not wanted is left out; a wanted code absent gives an empty list.
    assert_eq!(positions(&codes, &[2, 7]), vec![vec![4], vec![]]);
    // A code listed twice: its positions in the first list only.
    assert_eq!(positions(&codes, &[1, 1]), vec![vec![1, 3], vec![]]);
    assert_eq!(positions(&codes, &[]), Vec::<Vec<usize>>::new());
    assert_eq!(positions(&[], &[0]), vec![Vec::<usize>::new()]);
}

#[test]
fn elements_with_gives_each_containers_elements_of_the_code_up_to_the_limit() {
    let t = table(&[(1, 0), (2, 1)]);
    let containers: Vec<Vec<(u32, char)>> =
        vec![vec![(1, 'a'), (2, 'b'), (2, 'c')], vec![], vec![(1, 'd')], vec![(2, 'e'), (1, 'f'), (2, 'g')]];
    let found = t.elements_with(containers.iter().map(|c| c.iter().copied()), &one(), 1000);
    assert_eq!(found, Ok(vec![(0, 'b'), (0, 'c'), (3, 'e'), (3, 'g')]));
    // Only the first `limit` elements of each are looked at.
    let found = t.elements_with(containers.iter().map(|c| c.iter().copied()), &one(), 2);
    assert_eq!(found, Ok(vec![(0, 'b'), (3, 'e')]));
}

#[test]
fn elements_with_names_the_unjudged_keys_met_within_the_limit() {
    let t = table(&[(1, 0), (2, 1)]);
    let containers = [vec![(1, ()), (5, ()), (2, ())], vec![(2, ()), (6, ()), (7, ())]];
    assert_eq!(t.elements_with(containers.iter().map(|c| c.iter().copied()), &one(), 2), Err(Unjudged(vec![5, 6])));
}

#[test]
fn holding_and_elements_with_look_for_any_code_of_the_set() {
    let t = table(&[(1, 0), (2, 1), (3, 2)]);
    let containers = [vec![1, 3], vec![1, 1], vec![2]];
    let either = CodeSet::from(&[1u8, 2][..]);
    assert_eq!(t.holding(containers.iter().map(|c| c.iter().copied()), &either, 1000), done(vec![0, 2]));
    let pairs = [vec![(1, 'a'), (3, 'b')], vec![(2, 'c'), (1, 'd')]];
    assert_eq!(t.elements_with(pairs.iter().map(|c| c.iter().copied()), &either, 1000), Ok(vec![(0, 'b'), (1, 'c')]));
    assert!(!CodeSet::from(&[][..]).contains(0));
}
