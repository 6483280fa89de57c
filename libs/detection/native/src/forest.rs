//! `ForestScorer.score` (libs/ml/forest.py): the same flat arrays, walked per tree,
//! leaf values summed in tree order after rounding the features to float32.

pub struct Forest {
    pub left: Vec<i32>,
    pub right: Vec<i32>,
    pub feature: Vec<i32>,
    pub threshold: Vec<f64>,
    pub value: Vec<f64>,
    pub roots: Vec<i32>,
    pub denominator: f64,
}

impl Forest {
    /// Anomaly score in (0, 1]; `None` where the Python scorer raises `FeatureError`.
    pub fn score(&self, features: &[f64; 6]) -> Option<f64> {
        let mut rounded = [0.0_f64; 6];
        for (slot, &value) in rounded.iter_mut().zip(features) {
            let single = value as f32;
            if !value.is_finite() || single.is_infinite() {
                return None;
            }
            *slot = f64::from(single);
        }
        let mut total = 0.0;
        for &root in &self.roots {
            let mut node = root as usize;
            while self.left[node] as usize != node {
                node = if rounded[self.feature[node] as usize] <= self.threshold[node] {
                    self.left[node] as usize
                } else {
                    self.right[node] as usize
                };
            }
            total += self.value[node];
        }
        Some(crate::pymath::pow(2.0, -(total / self.denominator)))
    }
}
